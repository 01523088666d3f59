import type { PendingJob } from '../cluster-view';

/**
 * Queue order: priority 3 first; within a priority, re-queued jobs (preempted or re-dispatched by
 * fault recovery — "第一优先级", ch12 §2.3) ahead of the rest; then first come, first served by the
 * JobQueued sequence; the job id breaks ties so the order is total.
 *
 * A re-queued job does not jump priorities: a preempted priority-1 job must not go ahead of the
 * priority-3 job it was preempted for.
 */
export function queueOrder(a: PendingJob, b: PendingJob): number {
  return (
    b.priority - a.priority ||
    Number(b.requeued ?? false) - Number(a.requeued ?? false) ||
    a.queuedSeq - b.queuedSeq ||
    (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0)
  );
}
