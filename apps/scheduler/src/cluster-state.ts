import { Subjects, type NodeEventData, type StoredCommit, type JobEvent } from '@trainyard/contracts';
import { trainingJobDecider, type TrainingJob } from '@trainyard/domain';

export interface JobEntry {
  state: TrainingJob;
  /** Sequence of the job's latest JobQueued: its place in the FIFO order of its priority. */
  queuedSeq: number;
}

export interface NodeEntry {
  info: NodeEventData['NodeRegistered'];
  /** `job/task/attempt` keys the node has been told to run, and to stop. */
  assigned: Set<string>;
  stopRequested: Set<string>;
}

export const taskKey = (jobId: string, task: string, attempt: number) => `${jobId}/${task}/${attempt}`;

/**
 * The scheduler's in-memory picture of the cluster, folded from the whole event log in stream order.
 * It is only ever changed by `apply`, so after a restart a replay rebuilds it exactly.
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
    const entry = this.jobs.get(jobId) ?? { state: trainingJobDecider.initialState(), queuedSeq: 0 };
    for (const e of commit.events as JobEvent[]) {
      entry.state = trainingJobDecider.evolve(entry.state, e);
      if (e.type === 'JobQueued') entry.queuedSeq = commit.seq;
    }
    if (entry.state.status === 'deleted') this.jobs.delete(jobId);
    else this.jobs.set(jobId, entry);
  }

  private applyNode(nodeId: string, commit: StoredCommit): void {
    for (const e of commit.events) {
      if (e.type === 'NodeRegistered') {
        const existing = this.nodes.get(nodeId);
        this.nodes.set(nodeId, { info: e.data, assigned: existing?.assigned ?? new Set(), stopRequested: existing?.stopRequested ?? new Set() });
        continue;
      }
      const node = this.nodes.get(nodeId);
      if (!node) continue;
      if (e.type === 'TaskAssigned') node.assigned.add(taskKey(e.data.jobId, e.data.task, e.data.attempt));
      if (e.type === 'TaskStopRequested') node.stopRequested.add(taskKey(e.data.jobId, e.data.task, e.data.attempt));
    }
  }
}
