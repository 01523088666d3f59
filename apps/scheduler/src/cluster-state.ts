import { Subjects, type JobEvent, type NodeEvent, type NodeEventData, type StoredCommit } from '@trainyard/contracts';
import { nodeDecider, trainingJobDecider, type NodeState, type TrainingJob } from '@trainyard/domain';

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
  /** `job/task/attempt` keys the node has been told to run, and to stop. */
  assigned: Set<string>;
  stopRequested: Set<string>;
  /** Stream sequence of the node subject's last commit. */
  version: number;
}

export const taskKey = (jobId: string, task: string, attempt: number) => `${jobId}/${task}/${attempt}`;

/**
 * The scheduler's in-memory picture of the cluster, folded from the whole event log in stream order.
 * It is only ever changed by `apply`, so after a restart (or in a standby) a replay rebuilds it exactly.
 * Each aggregate keeps its version, so the scheduler appends with optimistic concurrency without
 * reading the subject first: a stale picture fails the append instead of overwriting.
 */
export class ClusterState {
  readonly jobs = new Map<string, JobEntry>();
  readonly nodes = new Map<string, NodeEntry>();
  /** Stream sequence of the last commit applied. */
  position = 0;

  apply(commit: StoredCommit): void {
    this.position = Math.max(this.position, commit.seq);
    const target = Subjects.parseAggregate(commit.subject);
    if (!target) return;
    if (target.kind === 'job') this.applyJob(target.id, commit);
    else this.applyNode(target.id, commit);
  }

  private applyJob(jobId: string, commit: StoredCommit): void {
    const entry = this.jobs.get(jobId) ?? { state: trainingJobDecider.initialState(), queuedSeq: 0, version: 0 };
    entry.version = commit.seq;
    for (const e of commit.events as JobEvent[]) {
      entry.state = trainingJobDecider.evolve(entry.state, e);
      if (e.type === 'JobQueued') entry.queuedSeq = commit.seq;
    }
    if (entry.state.status === 'deleted') this.jobs.delete(jobId);
    else this.jobs.set(jobId, entry);
  }

  private applyNode(nodeId: string, commit: StoredCommit): void {
    const existing = this.nodes.get(nodeId);
    let state = existing?.state ?? nodeDecider.initialState();
    for (const e of commit.events as NodeEvent[]) state = nodeDecider.evolve(state, e);
    if (state.status !== 'registered') return;
    const { nodeId: id, host, pool, capacity, labels } = state;
    const node: NodeEntry = existing ?? { info: { nodeId: id, host, pool, capacity, labels }, state, assigned: new Set(), stopRequested: new Set(), version: 0 };
    node.info = { nodeId: id, host, pool, capacity, labels };
    node.state = state;
    node.version = commit.seq;
    for (const e of commit.events) {
      if (e.type === 'TaskAssigned') node.assigned.add(taskKey(e.data.jobId, e.data.task, e.data.attempt));
      if (e.type === 'TaskStopRequested') node.stopRequested.add(taskKey(e.data.jobId, e.data.task, e.data.attempt));
    }
    this.nodes.set(nodeId, node);
  }
}
