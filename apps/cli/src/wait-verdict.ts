/**
 * States a job never leaves except by deletion (ch14 §2.1): waiting for anything else is pointless
 * once the job is in one of these.
 */
export const TERMINAL_STATES: readonly string[] = ['completed', 'failed', 'terminated', 'abnormal'];

/**
 * Every state the API reports (the guide's nine, ch14 §2.1, plus `deleted`), in lifecycle order. Kept
 * here rather than imported from libs/domain: the CLI depends on the HTTP contract only.
 */
export const JOB_STATES: readonly string[] = [
  'creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting', 'deleted',
];

/** The deletion path: terminal → deleting → deleted (then the job is gone: 404). */
const DELETION_STATES: readonly string[] = ['deleting', 'deleted'];

/** What one poll saw: the job's state, or that the job no longer exists. */
export type WaitObservation = { state: string } | { gone: true };

export type WaitVerdict =
  | { kind: 'keep-waiting' }
  | { kind: 'reached' }
  /** The job can no longer reach the target state. */
  | { kind: 'unreachable'; message: string };

/**
 * Decides, from one observation, whether `yard wait --for target` is done. Pure: the polling loop
 * (`waitForState`) owns the clock.
 */
export function judgeWait(jobId: string, target: string, seen: WaitObservation): WaitVerdict {
  const want = target.toLowerCase();
  if ('gone' in seen) {
    return want === 'deleted'
      ? { kind: 'reached' }
      : { kind: 'unreachable', message: `job ${jobId} no longer exists (deleted); it will never be ${target}` };
  }
  const state = seen.state.toLowerCase();
  if (state === want) return { kind: 'reached' };
  if (TERMINAL_STATES.includes(state)) {
    return DELETION_STATES.includes(want)
      ? { kind: 'keep-waiting' }
      : { kind: 'unreachable', message: `job ${jobId} ended ${state}, not ${target}` };
  }
  if (DELETION_STATES.includes(state)) {
    return want === 'deleted'
      ? { kind: 'keep-waiting' }
      : { kind: 'unreachable', message: `job ${jobId} is being deleted (${state}); it will never be ${target}` };
  }
  return { kind: 'keep-waiting' };
}
