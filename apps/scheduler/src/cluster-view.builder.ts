import type { Capacity } from '@trainyard/contracts';
import { isSchedulableNode, RecoveryRule, tasksHoldingNodes, type ExistingTrainingJob } from '@trainyard/domain';
import {
  add, demandOf, NodeLabel, pendingJobFromSpec, specProject, ZERO,
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
 * every task holding a node (domain `tasksHoldingNodes`: assigned, running, or exited and restartable in place); the queue is every job waiting and not yet dispatched;
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
    const holding = tasksHoldingNodes(job);
    for (const t of holding) {
      if (t.nodeId) used.set(t.nodeId, add(used.get(t.nodeId) ?? ZERO, demandOf(flavor)));
    }
    if (job.status === 'waiting' && !job.dispatched) {
      const avoid = avoidNodes(job);
      const project = projectOf(job);
      queue.push({
        ...pendingJobFromSpec(jobId, job.spec, { queuedSeq, priority: job.priority, requeued: job.requeue !== undefined, ...(project ? { project } : {}) }),
        ...(avoid.length ? { avoidNodes: avoid } : {}),
      });
    }
    else {
      if (holding.length) running.push(runningJob(job, opts));
      const lost = tasksToPlace(job);
      if (lost) queue.push(lost(queuedSeq, state));
    }
  }
  const nodes: NodeView[] = [...state.nodes.values()].map(({ info, state: node }) => ({
    id: info.nodeId, host: info.host, pool: info.pool, labels: info.labels,
    capacity: info.capacity, used: used.get(info.nodeId) ?? ZERO,
    // Fault manager (issue 5): suspect, isolated (faulty or cordoned) and draining nodes take no new work.
    schedulable: isLive(info.nodeId) && isSchedulableNode(node),
  }));
  const recentPreemptions = [...state.jobs.values()].flatMap(({ state: job }) =>
    job.status === 'none' ? [] : (job.preemptedBy ?? []).map((p) => ({ victimJobId: job.jobId, forJobId: p.by, at: p.at })),
  );
  const view = { now: now.toISOString(), nodes, queue, running, ...(reservations ? { reservations } : {}), ...(recentPreemptions.length ? { recentPreemptions } : {}) };
  return view;
}

/** The job's project; absent = the planner's `default`. */
const projectOf = (job: ExistingTrainingJob): string | undefined => specProject(job.spec);

/**
 * Nodes this attempt should avoid: where the pre-check failed on healthy hardware (ch12 §2.2 scenario
 * 2, "randomly re-assign nodes" without isolating them). Read from the recovery decision that queued
 * the job again, so it lasts exactly until the job is placed (the next decision replaces it).
 */
function avoidNodes(job: ExistingTrainingJob): string[] {
  const last = job.recovery?.history.at(-1);
  if (!job.requeue || job.requeue.reason !== 'fault-recovery' || !last || last.rule !== RecoveryRule.PreflightReassign) return [];
  const nodes = new Set<string>();
  if (last.fault.nodeId) nodes.add(last.fault.nodeId);
  // Every node whose pre-check failed in the attempt that was given up, not only the first one reported.
  for (const t of job.tasks) if (t.attempt === job.attempt && t.precheck === 'failed' && t.nodeId) nodes.add(t.nodeId);
  return [...nodes].sort();
}

/**
 * A running job's tasks that a pod reschedule left without a node: the planner places just these
 * (the scheduler is the only placer), first in their priority, next to their group's supernode when
 * the job has affinity groups.
 */
function tasksToPlace(job: ExistingTrainingJob): ((queuedSeq: number, state: ClusterState) => PendingJob) | undefined {
  if (!job.dispatched || (job.status !== 'running' && job.status !== 'waiting')) return undefined;
  const pending = job.tasks.filter((t) => t.status === 'pending' && t.attempt === job.attempt && job.attempt > 0);
  if (pending.length === 0) return undefined;
  return (queuedSeq, state) => {
    const base = pendingJobFromSpec(job.jobId, job.spec, { queuedSeq, priority: job.priority, requeued: true });
    const groupSize = base.affinityGroupSize ?? 0;
    // The group of the first pending task: ranks [g·size, (g+1)·size) share one supernode.
    const g = groupSize > 0 ? Math.floor(pending[0].index / groupSize) : -1;
    const mate = g >= 0 ? job.tasks.find((t) => Math.floor(t.index / groupSize) === g && t.nodeId && t.status !== 'pending') : undefined;
    const supernode = mate?.nodeId ? state.nodes.get(mate.nodeId)?.info.labels[NodeLabel.Supernode] : undefined;
    const tasks = (g >= 0 ? pending.filter((t) => Math.floor(t.index / groupSize) === g) : pending).map((t) => ({ name: t.name, index: t.index }));
    return { ...base, nodeCount: tasks.length, tasks, ...(supernode ? { supernode } : {}) };
  };
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
    nodeIds: tasksHoldingNodes(job).flatMap((t) => (t.nodeId ? [t.nodeId] : [])),
    ...(r.affinityGroupSize && r.affinityGroupSize > 1 ? { affinityGroupSize: r.affinityGroupSize } : {}),
    ...(job.preemption && job.status === 'terminating' ? { preemptedFor: job.preemption.by } : {}),
    ...(projectOf(job) ? { project: projectOf(job) } : {}),
    ...(job.checkpointAt ? { checkpointAt: job.checkpointAt } : {}),
  };
}
