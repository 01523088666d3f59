/**
 * Decides whether this replica may take commands: the transport is in the command queue group only
 * while the gate is open, so a standby or a replica that lost its lease is not offered any. A
 * `LeaderLease` (libs/replica) is one; a service without a lease uses {@link ALWAYS_OPEN}.
 */
export interface IntakeGate {
  isOpen(): boolean;
  /** Calls `listener` whenever the gate opens or closes; returns the unsubscribe. */
  onChange(listener: (open: boolean) => void): () => void;
}

export const ALWAYS_OPEN: IntakeGate = { isOpen: () => true, onChange: () => () => undefined };
