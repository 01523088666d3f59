import type { Demand } from '../queue/job-request';

/** One task holding capacity on a slot, and the job it belongs to ('' = unexplained used capacity). */
export interface HeldTask {
  slot: number;
  demand: Demand;
  whole: boolean;
  jobId: string;
}

/**
 * The tasks of one pool grouped by expected end (epoch ms; +∞ = unknown), earliest first. A
 * reservation is found by releasing groups in this order until the job fits ("when would it
 * start?"), which is monotone: more released never fits less. The order of tasks within a group
 * means nothing (a group is released whole).
 *
 * It is kept between passes (`StandingPools`): tasks are added and removed as jobs change, and what
 * one pass adds (its placements, the tasks being preempted, due `now`) is journaled and taken out
 * again by `rollback`.
 */
export class ReleaseSchedule {
  private ends: number[] = [];
  private groups: HeldTask[][] = [];
  // While the pool is being built, tasks collect per end and are sorted once by `seal`.
  private pending: Map<number, HeldTask[]> | null = new Map();
  /** Ends of the tasks added since `begin`, in order; null = not in a pass. */
  private journal: number[] | null = null;
  /** Each task's index in its group, so one leaves in O(1); made at the first removal. */
  private at: Map<HeldTask, number> | null = null;

  add(end: number, task: HeldTask): void {
    if (this.pending) {
      const list = this.pending.get(end);
      if (list) list.push(task);
      else this.pending.set(end, [task]);
      return;
    }
    this.journal?.push(end);
    const at = lowerBound(this.ends, end);
    if (this.ends[at] !== end) {
      this.ends.splice(at, 0, end);
      this.groups.splice(at, 0, []);
    }
    this.at?.set(task, this.groups[at].length);
    this.groups[at].push(task);
  }

  /** Takes out a task added with `end` (the same object). */
  remove(end: number, task: HeldTask): void {
    if (this.pending) {
      const list = this.pending.get(end);
      const k = list ? list.indexOf(task) : -1;
      if (k < 0) return;
      list!.splice(k, 1);
      if (list!.length === 0) this.pending.delete(end);
      return;
    }
    const at = lowerBound(this.ends, end);
    if (this.ends[at] !== end) return;
    const group = this.groups[at];
    if (!this.at) {
      this.at = new Map();
      for (const g of this.groups) for (let i = 0; i < g.length; i++) this.at.set(g[i], i);
    }
    const k = this.at.get(task);
    if (k === undefined || group[k] !== task) return;
    // Order within a group means nothing: the last task takes the removed one's place.
    const last = group.pop()!;
    this.at.delete(task);
    if (last !== task) {
      group[k] = last;
      this.at.set(last, k);
    }
    if (group.length === 0) this.drop(at);
  }

  /** From now on every `add` is journaled, until `rollback` takes them out. */
  begin(): void {
    this.seal();
    this.journal = [];
  }

  /** Takes out every task added since `begin` (the latest first: each is last in its group). */
  rollback(): void {
    const j = this.journal;
    this.journal = null;
    if (!j) return;
    for (let k = j.length - 1; k >= 0; k--) {
      const at = lowerBound(this.ends, j[k]);
      const t = this.groups[at].pop()!;
      this.at?.delete(t);
      if (this.groups[at].length === 0) this.drop(at);
    }
  }

  seal(): void {
    if (!this.pending) return;
    const entries = [...this.pending].sort((a, b) => a[0] - b[0]);
    this.ends = entries.map((e) => e[0]);
    this.groups = entries.map((e) => e[1]);
    this.pending = null;
  }

  get length(): number {
    return this.groups.length;
  }

  endOf(group: number): number {
    return this.ends[group];
  }

  group(group: number): readonly HeldTask[] {
    return this.groups[group];
  }

  private drop(at: number): void {
    this.ends.splice(at, 1);
    this.groups.splice(at, 1);
  }
}

function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
