import type { JobState } from '../http-api';
import type { V2Phase } from './v2-wire';

/**
 * The guide's nine states (ch14 §2.1) as the v2 API's two levels. `phase` is one of the reference's
 * eight; `secondary_phase` says more where a phase covers several situations:
 *
 * | state         | phase       | secondary_phase                                   |
 * |---------------|-------------|---------------------------------------------------|
 * | creating      | Creating    | Creating                                          |
 * | waiting       | Pending     | Queuing (in the queue) / Scheduled (placed, instances launching) |
 * | running       | Running     | Running                                           |
 * | terminating   | Terminating | Terminating                                       |
 * | terminated    | Terminated  | Terminated                                        |
 * | completed     | Completed   | Completed                                         |
 * | failed        | Failed      | Failed                                            |
 * | abnormal      | Abnormal    | Abnormal                                          |
 * | deleting      | Terminated  | Deleting                                          |
 *
 * `deleting` has no phase of its own in the reference; the job has ended (delete is allowed only from
 * completed, failed, terminated, abnormal), and `JobDeleted` follows in the same commit. A deleted
 * job is not found (404), as in the reference.
 */
export const V2_PHASE_OF_STATE: Readonly<Record<Exclude<JobState, 'deleted'>, { phase: V2Phase; secondary: string }>> = {
  creating: { phase: 'Creating', secondary: 'Creating' },
  waiting: { phase: 'Pending', secondary: 'Queuing' },
  running: { phase: 'Running', secondary: 'Running' },
  terminating: { phase: 'Terminating', secondary: 'Terminating' },
  terminated: { phase: 'Terminated', secondary: 'Terminated' },
  completed: { phase: 'Completed', secondary: 'Completed' },
  failed: { phase: 'Failed', secondary: 'Failed' },
  abnormal: { phase: 'Abnormal', secondary: 'Abnormal' },
  deleting: { phase: 'Terminated', secondary: 'Deleting' },
};

/** The two levels of a job's state; a dispatched waiting job is `Pending`/`Scheduled`. */
export function v2Phase(state: string, dispatched = false): { phase: V2Phase; secondary_phase: string } {
  const known = V2_PHASE_OF_STATE[state as keyof typeof V2_PHASE_OF_STATE];
  if (!known) return { phase: 'Abnormal', secondary_phase: 'Unknown' };
  const secondary = state === 'waiting' && dispatched ? 'Scheduled' : known.secondary;
  return { phase: known.phase, secondary_phase: secondary };
}

/** The states a phase filter (`phase=Pending`) selects. */
export function statesOfPhase(phase: V2Phase): JobState[] {
  return (Object.entries(V2_PHASE_OF_STATE) as [JobState, { phase: V2Phase }][]).filter(([, v]) => v.phase === phase).map(([s]) => s);
}
