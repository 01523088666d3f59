/**
 * The named rules of the recovery policy (STYLE 6): every `RecoveryDecided` event names the one that
 * fired. Each cites the guide's lines it implements (`../shared/seed/ch12-13-reliability.md`).
 */
export const RecoveryRule = {
  /** Auto restart is off (no `job-retry-num`): the job fails (L7590-7595, L1933). */
  AutoRestartOff: 'auto-restart-off',
  /** A process died (or a self-healable device fault): restart every unfinished task in place; no budget (L7913-7934, L8044). */
  InPlaceRestart: 'in-place-restart',
  /** The same fault on the same node the third time in a row within 24 h: isolate it, reschedule the job (L8186-8187). */
  InPlaceRepeated: 'in-place-repeated',
  /** The same user-induced device fault the third time: reschedule without isolating (L8189-8191, L8219). */
  UserInducedRepeated: 'user-induced-repeated',
  /** A node or hardware fault with `pod-retry-num` left: move only the failed task (L7985-8005). */
  PodReschedule: 'pod-reschedule',
  /** No healthy node can take the pod: the node is isolated already, reschedule the whole job (L8290). */
  PodRescheduleFailed: 'pod-reschedule-failed',
  /** A node or hardware fault: isolate the faulty nodes, reschedule the job (scenario 3, L7548-7549, L7965-7983). */
  IsolatingReschedule: 'isolating-reschedule',
  /** Preflight failed on faulty hardware: isolate, re-dispatch (scenario 1, L7539-7540). */
  PreflightIsolate: 'preflight-isolate',
  /** Preflight failed on healthy hardware: re-dispatch on other nodes, isolate nothing (scenario 2, L7544-7545). */
  PreflightReassign: 'preflight-reassign',
  /** A non-zero exit, unconditional retry on: reschedule the job (L8212-8214). */
  UnconditionalReschedule: 'unconditional-reschedule',
  /** The fourth identical failure after three unconditional reschedules in a row: failed (L8240-8242). */
  UnconditionalLimit: 'unconditional-limit',
  /** A non-zero exit on healthy hardware without unconditional retry: failed (scenario 4, L7553-7554). */
  WorkloadFailed: 'workload-failed',
  /** An evicted job is never rescheduled unconditionally; it fails (L8225-8228). */
  EvictedFails: 'evicted-fails',
  /** Suspected hang with hang retry on: restart the processes in place; no budget (L8007-8035, L8049). */
  HangRestart: 'hang-restart',
  /** The fourth hang after three hang restarts in a row: failed (L8320, L1980). */
  HangLimit: 'hang-limit',
  /** Suspected hang without hang retry: the event only (L7733-7734). */
  HangRetryOff: 'hang-retry-off',
  /** The job's own spec cannot run (code dir, boot file, image, command not found): failed, no node blamed (ours, issue 9). */
  UserError: 'user-error',
  /** Every re-dispatch of `job-retry-num` is used and the job is still faulty: failed (L1950-1951). */
  RestartLimit: 'restart-limit',
} as const;
export type RecoveryRule = (typeof RecoveryRule)[keyof typeof RecoveryRule];

/** The guide's limits (ch12 §4.5). */
export const RecoveryLimits = {
  /** Unconditional reschedules in a row before the next identical failure fails the job. */
  consecutiveUnconditional: 3,
  /** Hang restarts in a row before the next hang fails the job. */
  consecutiveHangRestarts: 3,
  /** The same fault on the same node this many times in a row escalates from in-place recovery. */
  sameFaultInPlace: 3,
  /** …within this window. */
  sameFaultWindowMs: 24 * 3_600_000,
} as const;

/** Device fault codes caused by user input: never isolate the node (L8189-8191). */
export const USER_INDUCED_FAULT_CODES: readonly string[] = ['80C98002', '80CB8002'];
