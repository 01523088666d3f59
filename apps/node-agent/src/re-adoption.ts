import type { TaskAssignment } from '@trainyard/contracts';
import type { LaunchRecord } from './launch-record';
import type { TaskIdentity, TaskRuntime } from './task-runtime';

/**
 * Re-adoption (ARCHITECTURE decision 5): an agent that restarts follows the tasks its earlier run
 * launched instead of launching them again. Each launch record without a reported exit names its
 * runtime and assignment; the runtime finds the task by its identity (the supervised process
 * runtime by its run dir, the container runtime by its labels), replays its output from the first
 * line and reports its real exit, even when it ended while no agent ran. The prelude (the pre-check's
 * lines) is shipped again first, so line numbers repeat and the log store keeps every line once.
 *
 * What cannot be adopted (a record of an older agent, a runtime that cannot adopt, nothing found) is
 * killed if its process is still there and reported lost, as before.
 */
export function adoptionRuntime(record: LaunchRecord, runtimes: Partial<Record<TaskAssignment['runtime'], TaskRuntime>>): TaskRuntime | undefined {
  if (record.exitReported || !record.assignment || !record.runtime) return undefined;
  const runtime = runtimes[record.runtime];
  return runtime?.adopt ? runtime : undefined;
}

export const identityOf = (nodeId: string, t: { jobId: string; task: string; attempt: number }): TaskIdentity => ({
  nodeId,
  jobId: t.jobId,
  task: t.task,
  attempt: t.attempt,
});
