import type { Fault, FaultKind } from '@trainyard/contracts';

/**
 * How strongly a fault explains the others of the same attempt, strongest first. When one rank of a
 * distributed job dies, its peers fail in their next collective ("Connection closed by peer"), and
 * their launchers report plain non-zero exits — often before the dead rank's own launcher reports
 * (torchrun polls its workers every 5 s). The node, device and signal faults are causes; a script's
 * non-zero exit is the weakest evidence, the usual consequence.
 */
const STRENGTH: readonly FaultKind[] = [
  'hardware', 'node-lost', 'node-drained', 'preflight-hardware', 'preflight-environment', 'self-healable',
  'process-killed', 'user-induced', 'evicted', 'user-error', 'hang', 'non-zero-exit',
];

/**
 * The index of the fault that explains an attempt's failures: the strongest kind, the earliest among
 * equals (faults are given in the order their exits were committed). -1 for none.
 *
 * @example
 * ```ts
 * rootCause([{ kind: 'non-zero-exit', task: 'worker-0', hardware: false }, { kind: 'process-killed', task: 'worker-1', code: 'SIGKILL', hardware: false }]) // 1
 * ```
 */
export function rootCause(faults: readonly Fault[]): number {
  let best = -1;
  for (let i = 0; i < faults.length; i++) {
    if (best < 0 || STRENGTH.indexOf(faults[i]!.kind) < STRENGTH.indexOf(faults[best]!.kind)) best = i;
  }
  return best;
}

/**
 * Whether a fault may be the consequence of a peer's that has not been reported yet: only a plain
 * non-zero exit is. Its decision may wait a little for the other tasks of the attempt.
 */
export const mayBeConsequence = (f: Fault): boolean => f.kind === 'non-zero-exit';
