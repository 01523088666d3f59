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
 * start?"), which is monotone: more released never fits less.
 */
export class ReleaseSchedule {
  private ends: number[] = [];
  private groups: HeldTask[][] = [];
  // While the pool is being built, tasks collect per end and are sorted once by `seal`.
  private pending: Map<number, HeldTask[]> | null = new Map();

  add(end: number, task: HeldTask): void {
    if (this.pending) {
      const list = this.pending.get(end);
      if (list) list.push(task);
      else this.pending.set(end, [task]);
      return;
    }
    const at = lowerBound(this.ends, end);
    if (this.ends[at] !== end) {
      this.ends.splice(at, 0, end);
      this.groups.splice(at, 0, []);
    }
    this.groups[at].push(task);
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
