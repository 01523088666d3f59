import { Subjects, validateQuotaConfig, type DomainEvent, type Flavor, type JobEvent, type NodeEvent, type NodeEventData, type StoredCommit } from '@trainyard/contracts';
import { activeTasks, assignmentKey, isEnded, tasksHoldingNodes, nodeDecider, parseIdentitySubject, trainingJobDecider, type NodeAssignment, type NodeState, type TrainingJob } from '@trainyard/domain';
import { DEFAULT_PROJECT, specProject, UsageLedger, type ProjectQuota } from '@trainyard/scheduling';

export interface JobEntry {
  state: TrainingJob;
  /** Sequence of the job's latest JobQueued: its place in the FIFO order of its priority. */
  queuedSeq: number;
  /** Stream sequence of the job subject's last commit: the expected version of our next append. */
  version: number;
}

export interface NodeEntry {
  info: NodeEventData['NodeRegistered'];
  /** The node aggregate as its decider sees it, so node commits are decided without a read. */
  state: NodeState;
  /**
   * Keys whose end this node's own agent reported (`TaskExited` from `node:<id>`), until released or
   * restarted in place: what tells a finished attempt from one a lost node may still run.
   */
  ended: Set<string>;
  /** Stream sequence of the node subject's last commit. */
  version: number;
}

export const taskKey = (jobId: string, task: string, attempt: number) => `${jobId}/${task}/${attempt}`;

/**
 * The node's assignment of exactly this attempt (the agent was told to run it; `status` says whether
 * it was told to stop), or undefined: never assigned here, released, or replaced by a later attempt.
 */
export function assignmentOf(node: NodeEntry, jobId: string, task: string, attempt: number): NodeAssignment | undefined {
  const a = node.state.status === 'registered' ? node.state.assignments[assignmentKey(jobId, task)] : undefined;
  return a?.attempt === attempt ? a : undefined;
}

/**
 * The scheduler's in-memory picture of the cluster, folded from the whole event log in stream order:
 * the live jobs (an ended job leaves once nothing of it runs) and the nodes with their live work.
 * It is only ever changed by `apply`, so after a restart (or in a standby) a replay rebuilds it exactly.
 * Each aggregate keeps its version, so the scheduler appends with optimistic concurrency without
 * reading the subject first: a stale picture fails the append instead of overwriting.
 */
export class ClusterState {
  readonly jobs = new Map<string, JobEntry>();
  readonly nodes = new Map<string, NodeEntry>();
  /** The configured quotas (issue 16), `QuotaSet` on the projects' identity aggregates: `<pool>/<project>` → quota. */
  readonly quotas = new Map<string, ProjectQuota>();
  /**
   * Each project's decayed past usage per pool (fair share, issue 16), folded from the jobs' holdings
   * at their commits' times: every replica has the same numbers, so a new leader carries on.
   */
  readonly usage: UsageLedger;
  /** Stream sequence of the last commit applied. */
  position = 0;

  /** `fairShareHalfLifeMs`: the half-life of the past usage (default 7 days). */
  constructor(fairShareHalfLifeMs = 7 * 24 * 3_600_000) {
    this.usage = new UsageLedger(fairShareHalfLifeMs);
  }

  apply(commit: StoredCommit): void {
    this.position = Math.max(this.position, commit.seq);
    const target = Subjects.parseAggregate(commit.subject);
    if (!target) return this.applyQuotas(commit);
    if (target.kind === 'job') this.applyJob(target.id, commit);
    else this.applyNode(target.id, commit);
  }

  private applyJob(jobId: string, commit: StoredCommit): void {
    const entry = this.jobs.get(jobId) ?? { state: trainingJobDecider.initialState(), queuedSeq: 0, version: 0 };
    entry.version = commit.seq;
    const before = holding(entry.state);
    for (const e of commit.events as JobEvent[]) {
      entry.state = trainingJobDecider.evolve(entry.state, e);
      if (e.type === 'JobQueued') entry.queuedSeq = commit.seq;
      if (e.type === 'TaskExited' && commit.meta.actor === `node:${e.data.nodeId}`) this.agentReportedEnd(jobId, e.data);
    }
    const after = holding(entry.state);
    if (before.instances !== after.instances) {
      const h = before.instances ? before : after;
      const n = after.instances - before.instances;
      const at = Date.parse(commit.events.at(-1)?.time ?? '') || 0;
      this.usage.change(h.pool, h.project, { cpu: h.flavor.cpu * n, memoryMiB: h.flavor.memoryMiB * n, gpu: (h.flavor.gpu ?? 0) * n, npu: (h.flavor.npu ?? 0) * n }, at);
    }
    // A commit of a job this picture already let go (below) folds from nothing to nothing: ignored.
    if (entry.state.status === 'none') return;
    // Ended with nothing left running: the scheduler has no more work for it, so it leaves the picture
    // and no pass walks it again (issue 19) — a pass costs the live jobs, not every job ever run.
    if (entry.state.status === 'deleted' || (isEnded(entry.state.status) && activeTasks(entry.state).length === 0)) this.jobs.delete(jobId);
    else this.jobs.set(jobId, entry);
  }

  /** The agent ended an attempt its node still holds (a late report of a replaced one changes nothing). */
  private agentReportedEnd(jobId: string, exit: { nodeId: string; task: string; attempt: number }): void {
    const node = this.nodes.get(exit.nodeId);
    if (node && assignmentOf(node, jobId, exit.task, exit.attempt)) node.ended.add(taskKey(jobId, exit.task, exit.attempt));
  }

  /** Quotas live on the project's aggregate (the decider there checked the project exists). */
  private applyQuotas(commit: StoredCommit): void {
    const at = parseIdentitySubject(commit.subject);
    if (at?.kind !== 'project') return;
    for (const e of commit.events) {
      if (e.type === 'QuotaSet') {
        const d = (e as DomainEvent<'QuotaSet'>).data;
        // The API checked it; a quota that is not one (a foreign writer) must not stop every pass.
        const v = validateQuotaConfig(d.quota);
        if (v.ok) this.quotas.set(`${d.pool}/${at.id}`, { project: at.id, pool: d.pool, ...v.quota } as ProjectQuota);
        else this.quotas.delete(`${d.pool}/${at.id}`);
      } else if (e.type === 'QuotaRemoved') this.quotas.delete(`${(e as DomainEvent<'QuotaRemoved'>).data.pool}/${at.id}`);
    }
  }

  private applyNode(nodeId: string, commit: StoredCommit): void {
    const existing = this.nodes.get(nodeId);
    const before = existing?.state ?? nodeDecider.initialState();
    let state = before;
    for (const e of commit.events as NodeEvent[]) state = nodeDecider.evolve(state, e);
    if (state.status !== 'registered') return;
    const { nodeId: id, host, pool, capacity, labels } = state;
    const node: NodeEntry = existing ?? { info: { nodeId: id, host, pool, capacity, labels }, state, ended: new Set(), version: 0 };
    node.info = { nodeId: id, host, pool, capacity, labels };
    node.state = state;
    node.version = commit.seq;
    // `ended` follows the node's assignments: an attempt the node no longer holds (released, or replaced
    // by a later one) leaves it, so it stays as small as the node's live work.
    if (before.status === 'registered') {
      for (const [k, a] of Object.entries(before.assignments)) {
        if (state.assignments[k]?.attempt !== a.attempt) node.ended.delete(taskKey(a.jobId, a.task, a.attempt));
      }
    }
    for (const e of commit.events) {
      if (e.type === 'TaskRestartRequested') node.ended.delete(taskKey(e.data.jobId, e.data.task, e.data.attempt));
    }
    this.nodes.set(nodeId, node);
  }
}

/**
 * What a job holds for fair share: its tasks that hold a node while it is placed, exactly what the
 * planner's view counts as running (a re-queued job whose tasks are still exiting holds nothing).
 */
function holding(job: TrainingJob): { instances: number; pool: string; project: string; flavor: Flavor } {
  if (job.status === 'none' || job.status === 'deleted') return { instances: 0, pool: '', project: '', flavor: { cpu: 0, memoryMiB: 0 } };
  const r = job.spec.spec.resource;
  const instances = job.status === 'waiting' && !job.dispatched ? 0 : tasksHoldingNodes(job).filter((t) => t.nodeId).length;
  return { instances, pool: r.pool ?? 'default', project: specProject(job.spec) ?? DEFAULT_PROJECT, flavor: r.flavor };
}
