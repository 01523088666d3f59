import type { TaskAssignment } from '@trainyard/contracts';
import { tasksToStop, type ExistingTrainingJob } from '@trainyard/domain';
import { taskKey, type ClusterState } from './cluster-state';

export interface AssignAction {
  kind: 'assign';
  nodeId: string;
  commandId: string;
  assignment: TaskAssignment;
}

export interface StopAction {
  kind: 'stop';
  nodeId: string;
  commandId: string;
  jobId: string;
  task: string;
  attempt: number;
  reason: string;
  /** SIGTERM → SIGKILL delay; the scheduler's default when absent (a preemption brings its own). */
  graceMs?: number;
}

/**
 * What the node subjects still lack, derived from state alone (so a restarted scheduler finds the
 * same work): every task of a dispatched attempt not yet assigned to its node, and every task that
 * must stop and has not been told. Command ids are deterministic, so re-issuing one is harmless.
 */
export function followUpActions(state: ClusterState): (AssignAction | StopAction)[] {
  const out: (AssignAction | StopAction)[] = [];
  for (const [jobId, { state: job }] of state.jobs) {
    if (job.status === 'none') continue;
    for (const t of tasksToStop(job)) {
      const key = taskKey(jobId, t.name, t.attempt);
      const node = t.nodeId ? state.nodes.get(t.nodeId) : undefined;
      // A task never assigned to its node has nothing to stop there.
      if (!node || !node.assigned.has(key) || node.stopRequested.has(key)) continue;
      const graceMs = job.preemption?.graceMs;
      out.push({
        kind: 'stop', nodeId: t.nodeId!, commandId: `stop/${key}`, jobId, task: t.name, attempt: t.attempt, reason: stopReason(job),
        ...(graceMs !== undefined ? { graceMs } : {}),
      });
    }
    if (!job.dispatched || (job.status !== 'waiting' && job.status !== 'running')) continue;
    const hosts = [...job.tasks].sort((a, b) => a.index - b.index).map((t) => t.host ?? '');
    for (const t of job.tasks) {
      if (t.status !== 'assigned' || !t.nodeId) continue;
      const key = taskKey(jobId, t.name, t.attempt);
      const node = state.nodes.get(t.nodeId);
      if (!node || node.assigned.has(key)) continue;
      out.push({ kind: 'assign', nodeId: t.nodeId, commandId: `assign/${key}`, assignment: assignmentFor(job, t.name, hosts) });
    }
  }
  return out;
}

function assignmentFor(job: ExistingTrainingJob, task: string, hosts: string[]): TaskAssignment {
  const t = job.tasks.find((x) => x.name === task)!;
  return {
    jobId: job.jobId, jobName: job.spec.metadata.name, task, index: t.index, attempt: t.attempt,
    scheduleCount: Math.max(1, t.scheduleCount), procStartCount: t.procStartCount + 1,
    algorithm: job.spec.algorithm, flavor: job.spec.spec.resource.flavor,
    runtime: job.spec.spec.runtime ?? 'process', hosts,
  };
}

function stopReason(job: ExistingTrainingJob): string {
  // The preemption notice every rank's agent logs before SIGTERM.
  if (job.status === 'terminating' && job.preemption) return `preempted by job ${job.preemption.by} (priority ${job.preemption.byPriority})`;
  // Fault manager (issue 5): a job reschedule stops every task before the job queues again.
  if (job.status === 'terminating' && job.recovery?.rescheduling) return `fault recovery: the job is rescheduled (${job.recovery.rescheduling.rule})`;
  if (job.status === 'terminating') return job.stop?.reason === 'max-run-time' ? 'maximum run duration reached' : 'stopped by user';
  return `job ${job.status}`;
}
