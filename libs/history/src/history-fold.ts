import { type HistorySnapshotState, type JobEvent, type NodeEvent, type StoredCommit, Subjects } from '@trainyard/contracts';
import { nodeDecider, trainingJobDecider, type NodeState, type TrainingJob } from '@trainyard/domain';

/** One job as the log left it at the fold's position. */
export interface FoldedJob {
  state: TrainingJob;
  /** Sequence of the job's latest JobQueued (its FIFO place within its priority). */
  queuedSeq: number;
  /** Sequence of the job subject's last commit. */
  version: number;
}

/**
 * The cluster as the log says it was after the commit at `position`: every job and node folded
 * with the deciders' own `evolve` (libs/domain) — the code the scheduler and the fault manager fold
 * the live log with, not a second implementation. Feed it commits in stream order.
 *
 * @example
 * ```ts
 * const fold = new HistoryFold();
 * for (const c of commitsUpTo(seqAt('2026-12-02T03:12:00Z'))) fold.apply(c);
 * fold.jobs.get(jobId)?.state.status; // 'running'
 * ```
 */
export class HistoryFold {
  readonly jobs = new Map<string, FoldedJob>();
  readonly nodes = new Map<string, NodeState>();
  /** Sequence of the last commit applied (0 = none). */
  position = 0;
  /** Time of the last event applied (null = none). */
  time: string | null = null;
  /** Aggregates changed since the fold started or was last snapshotted (`takeSnapshot`). */
  private readonly touchedJobs = new Set<string>();
  private readonly touchedNodes = new Set<string>();

  /** A fold that starts from a snapshot (`takeSnapshot`'s states, merged up to its cut). */
  static fromSnapshot(position: number, time: string | null, states: Iterable<HistorySnapshotState>): HistoryFold {
    const fold = new HistoryFold();
    for (const s of states) {
      if (s.kind === 'job') fold.jobs.set(s.id, s.body as FoldedJob);
      else fold.nodes.set(s.id, s.body as NodeState);
    }
    fold.position = position;
    fold.time = time;
    return fold;
  }

  /**
   * The aggregates changed since the last snapshot (every one, for a fold that started empty), as
   * plain data, and forgets them: the next snapshot holds only what changes after this one.
   */
  takeSnapshot(): HistorySnapshotState[] {
    const out: HistorySnapshotState[] = [
      ...[...this.touchedJobs].map((id) => ({ kind: 'job' as const, id, body: this.jobs.get(id) })),
      ...[...this.touchedNodes].map((id) => ({ kind: 'node' as const, id, body: this.nodes.get(id) })),
    ];
    this.touchedJobs.clear();
    this.touchedNodes.clear();
    return out;
  }

  apply(commit: StoredCommit): void {
    if (commit.seq <= this.position) throw new RangeError(`commit ${commit.seq} is not after ${this.position}: feed the fold in stream order`);
    this.position = commit.seq;
    const last = commit.events.at(-1);
    if (last) this.time = last.time;
    const target = Subjects.parseAggregate(commit.subject);
    if (target?.kind === 'job') {
      const entry = this.jobs.get(target.id) ?? { state: trainingJobDecider.initialState(), queuedSeq: 0, version: 0 };
      for (const e of commit.events as JobEvent[]) {
        entry.state = trainingJobDecider.evolve(entry.state, e);
        if (e.type === 'JobQueued') entry.queuedSeq = commit.seq;
      }
      entry.version = commit.seq;
      this.jobs.set(target.id, entry);
      this.touchedJobs.add(target.id);
    } else if (target?.kind === 'node') {
      let state = this.nodes.get(target.id) ?? nodeDecider.initialState();
      for (const e of commit.events as NodeEvent[]) state = nodeDecider.evolve(state, e);
      this.nodes.set(target.id, state);
      this.touchedNodes.add(target.id);
    }
  }

  applyAll(commits: Iterable<StoredCommit>): this {
    for (const c of commits) this.apply(c);
    return this;
  }
}
