import type { Capacity } from '@trainyard/contracts';
import { activeTasks, isSchedulableNode, type ExistingTrainingJob } from '@trainyard/domain';
import {
  add, demandOf, pendingJobFromSpec, ZERO,
  type ClusterView, type NodeView, type PendingJob, type ReservationRecord, type RunningJob,
} from '@trainyard/scheduling';
import type { ClusterState } from './cluster-state';

/** The planner's view as the service fills it: running jobs always present. */
export type SchedulerView = ClusterView & { running: RunningJob[] };

export interface ViewOptions {
  /** Length of one `maxRunHours` hour (shortened in tests). */
  hourMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * Projects the scheduler's state into the planner's view. Used capacity is the sum of the flavors of
 * every task assigned or running on a node; the queue is every job waiting and not yet dispatched;
 * `running` is every job with a task that still holds a node. `reservations` are the previous plan's.
 */
export function buildClusterView(
  state: ClusterState,
  isLive: (nodeId: string) => boolean,
  now: Date,
  opts: ViewOptions,
  reservations?: readonly ReservationRecord[],
): SchedulerView {
  const used = new Map<string, Capacity>();
  const queue: PendingJob[] = [];
  const running: RunningJob[] = [];
  for (const [jobId, { state: job, queuedSeq }] of state.jobs) {
    if (job.status === 'none') continue;
    const flavor = job.spec.spec.resource.flavor;
    const active = activeTasks(job);
    for (const t of active) {
      if (t.nodeId) used.set(t.nodeId, add(used.get(t.nodeId) ?? ZERO, demandOf(flavor)));
    }
    if (job.status === 'waiting' && !job.dispatched) {
      queue.push(pendingJobFromSpec(jobId, job.spec, { queuedSeq, priority: job.priority, requeued: job.requeue !== undefined }));
    }
    else if (active.length) running.push(runningJob(job, opts));
  }
  const nodes: NodeView[] = [...state.nodes.values()].map(({ info, state: node }) => ({
    id: info.nodeId, host: info.host, pool: info.pool, labels: info.labels,
    capacity: info.capacity, used: used.get(info.nodeId) ?? ZERO,
    // Fault manager (issue 5): suspect, isolated (faulty or cordoned) and draining nodes take no new work.
    schedulable: isLive(info.nodeId) && isSchedulableNode(node),
  }));
  const view = { now: now.toISOString(), nodes, queue, running, ...(reservations ? { reservations } : {}) };
  return view;
}

/**
 * A job holding capacity. `startedAt` is the start of the current run (absent while dispatched but not
 * started, or while being stopped): the planner protects runs younger than its minimum run time.
 */
function runningJob(job: ExistingTrainingJob, opts: ViewOptions): RunningJob {
  const started = job.status === 'running' ? job.attemptStartedAt : undefined;
  const maxRunHours = job.spec.spec.maxRunHours;
  const r = job.spec.spec.resource;
  return {
    jobId: job.jobId,
    pool: r.pool ?? 'default',
    priority: job.priority,
    preemptible: job.spec.spec.preemptible ?? false,
    ...(started ? { startedAt: started } : {}),
    // The planner counts real hours from startedAt; the job has `max - ran` configured hours left.
    ...(maxRunHours !== undefined ? { maxRunHours: Math.max(0, maxRunHours * opts.hourMs - (job.ranMs ?? 0)) / HOUR_MS } : {}),
    flavor: r.flavor,
    nodeIds: activeTasks(job).flatMap((t) => (t.nodeId ? [t.nodeId] : [])),
    ...(r.affinityGroupSize && r.affinityGroupSize > 1 ? { affinityGroupSize: r.affinityGroupSize } : {}),
    ...(job.preemption && job.status === 'terminating' ? { preemptedFor: job.preemption.by } : {}),
  };
}
