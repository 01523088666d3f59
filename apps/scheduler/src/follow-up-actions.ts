import { DEFAULT_SSH_TRUST_DIR, type TaskAssignment } from '@trainyard/contracts';
import { tasksHoldingNodes, tasksToStop, type ExistingTrainingJob, type NodeAssignment } from '@trainyard/domain';
import { deviceKindOf, type DeviceLedger } from '@trainyard/scheduling';
import { assignmentOf, taskKey, type ClusterState, type NodeEntry } from './cluster-state';
import { assignedDevices, deviceLedgers } from './task-devices';

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
  /** A preemption's notice for the task (issue 16): by whom, and when the grace runs out. */
  preemption?: { by: string; deadline: string };
}

/** The node may forget one task attempt (`TaskReleased`): its job is done with it there. */
export interface ReleaseAction {
  kind: 'release';
  nodeId: string;
  commandId: string;
  jobId: string;
  task: string;
  attempt: number;
}

export type NodeWork = AssignAction | StopAction | ReleaseAction;

/** The job a piece of node work is for. */
export const jobOfWork = (a: NodeWork): string => (a.kind === 'assign' ? a.assignment.jobId : a.jobId);

/**
 * What the node subjects still lack, derived from state alone (so a restarted scheduler finds the
 * same work): every task of a dispatched attempt not yet assigned to its node, every task that
 * must stop and has not been told, and every assignment its job is done with (released, so a node's
 * state holds its live work only). Command ids are deterministic, so re-issuing one is harmless.
 */
export function followUpActions(state: ClusterState): NodeWork[] {
  const out: NodeWork[] = [...releases(state)];
  const cards = deviceLedgers(state);
  for (const [jobId, { state: job }] of state.jobs) {
    if (job.status === 'none') continue;
    for (const t of tasksToStop(job)) {
      const key = taskKey(jobId, t.name, t.attempt);
      const node = t.nodeId ? state.nodes.get(t.nodeId) : undefined;
      // A task never assigned to its node has nothing to stop there.
      const held = node && assignmentOf(node, jobId, t.name, t.attempt);
      if (!held || held.status === 'stop-requested') continue;
      const graceMs = job.preemption?.graceMs;
      const p = job.status === 'terminating' ? job.preemption : undefined;
      out.push({
        kind: 'stop', nodeId: t.nodeId!, commandId: `stop/${key}`, jobId, task: t.name, attempt: t.attempt, reason: stopReason(job),
        ...(graceMs !== undefined ? { graceMs } : {}),
        ...(p ? { preemption: { by: p.by, deadline: new Date(Date.parse(p.at) + p.graceMs).toISOString() } } : {}),
      });
    }
    if (!job.dispatched || (job.status !== 'waiting' && job.status !== 'running')) continue;
    const byIndex = [...job.tasks].sort((a, b) => a.index - b.index);
    const hosts = byIndex.map((t) => t.host ?? '');
    const fresh = job.tasks.filter((t) => {
      const node = t.status === 'assigned' && t.nodeId ? state.nodes.get(t.nodeId) : undefined;
      return node !== undefined && !assignmentOf(node, jobId, t.name, t.attempt);
    });
    const given = new Map<string, string[] | undefined>();
    for (const t of fresh) given.set(t.name, cardsFor(job, cards.get(t.nodeId!)));
    const devicesByIndex = byIndex.map((t) => (given.has(t.name) ? given.get(t.name) : assignedDevices(state, job, t.name)) ?? []);
    for (const t of fresh) {
      const devices = given.get(t.name);
      // Fewer cards free than the flavor asks: a task that held them is still being accounted away.
      // Held back until they are free, never launched onto a card another task uses.
      if (devices === undefined) continue;
      const key = taskKey(jobId, t.name, t.attempt);
      out.push({ kind: 'assign', nodeId: t.nodeId!, commandId: `assign/${key}`, assignment: assignmentFor(job, t.name, hosts, devices, devicesByIndex) });
    }
  }
  return out;
}

/**
 * Assignments a node may forget: the job is gone, or is done with the attempt there and nothing of it
 * can still run unseen — its agent reported its end, or it was told to stop. A copy on a node that was
 * lost (no word from its agent) is first fenced by the fault manager's stop; only then is it released.
 */
function* releases(state: ClusterState): Generator<ReleaseAction> {
  for (const [nodeId, node] of state.nodes) {
    if (node.state.status !== 'registered') continue;
    for (const a of Object.values(node.state.assignments)) {
      if (!released(state, node, a)) continue;
      yield { kind: 'release', nodeId, commandId: `release/${nodeId}/${taskKey(a.jobId, a.task, a.attempt)}`, jobId: a.jobId, task: a.task, attempt: a.attempt };
    }
  }
}

/** Whether the job is done with attempt `a` of one of its tasks on `node`. */
export function released(state: ClusterState, node: NodeEntry, a: NodeAssignment): boolean {
  const seen = a.status === 'stop-requested' || node.ended.has(taskKey(a.jobId, a.task, a.attempt));
  const job = state.jobs.get(a.jobId)?.state;
  // Ended and gone from the picture: done with every attempt, once nothing of this one can run unseen.
  if (!job || job.status === 'none') return seen;
  const t = job.tasks.find((x) => x.name === a.task);
  if (!t) return seen;
  if (t.attempt < a.attempt) return false; // the job has not seen this attempt yet: never guess
  // A running job's exited worker may restart in place (`tasksHoldingNodes`): it stays until that is over.
  if (t.attempt === a.attempt && t.nodeId === node.info.nodeId && tasksHoldingNodes(job).some((h) => h.name === a.task)) return false;
  return seen;
}

/**
 * The cards one task of `job` gets on its node: `[]` for a CPU flavor or a node that declared no ids
 * (an agent before issue 14), `undefined` when too few are free now.
 */
function cardsFor(job: ExistingTrainingJob, ledger: DeviceLedger | undefined): string[] | undefined {
  const want = deviceKindOf(job.spec.spec.resource.flavor);
  if (!want || !ledger?.declares(want.kind)) return [];
  return ledger.take(want.kind, want.count);
}

function assignmentFor(job: ExistingTrainingJob, task: string, hosts: string[], devices: string[], devicesByIndex: string[][]): TaskAssignment {
  const t = job.tasks.find((x) => x.name === task)!;
  return {
    jobId: job.jobId, jobName: job.spec.metadata.name, task, index: t.index, attempt: t.attempt,
    scheduleCount: Math.max(1, t.scheduleCount), procStartCount: t.procStartCount + 1,
    algorithm: job.spec.algorithm, flavor: job.spec.spec.resource.flavor,
    runtime: job.spec.spec.runtime ?? 'process', hosts,
    ...(devices.length ? { devices, devicesByIndex } : {}),
    ...(job.spec.spec.sshTrust?.enabled ? { sshTrust: { dir: job.spec.spec.sshTrust.dir ?? DEFAULT_SSH_TRUST_DIR } } : {}),
  };
}

function stopReason(job: ExistingTrainingJob): string {
  // The preemption notice every rank's agent logs before SIGTERM.
  if (job.status === 'terminating' && job.preemption) {
    return job.preemption.reclaim
      ? `preempted by job ${job.preemption.by}: its project takes back the quota lent to this one`
      : `preempted by job ${job.preemption.by} (priority ${job.preemption.byPriority})`;
  }
  // Fault manager (issue 5): a job reschedule stops every task before the job queues again.
  if (job.status === 'terminating' && job.recovery?.rescheduling) return `fault recovery: the job is rescheduled (${job.recovery.rescheduling.rule})`;
  if (job.status === 'terminating') return job.stop?.reason === 'max-run-time' ? 'maximum run duration reached' : 'stopped by user';
  return `job ${job.status}`;
}
