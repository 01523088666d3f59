import type { PendingJob } from '../cluster-view';
import { chargeOf, type QuotaLedger } from '../quota/quota-ledger';
import { demandOfFlavor, toJobRequest, type JobRequest } from './job-request';
import { queueOrder } from './queue-order';

/**
 * The queue in decision order, one job at a time.
 *
 * Without quotas it is `queueOrder`, sorted once. With quotas, jobs of equal priority (and equal
 * re-queued standing) are taken project by project in order of fair share — the lowest dominant
 * share first, recomputed after every job, so a placement in this pass already counts against its
 * project (DRF's progressive filling) — and first come, first served within a project. In a pool
 * without quotas every share is 0 and the order is FIFO again, as `queueOrder` has it.
 *
 * A job that would borrow (need more than what is left of its project's guarantee) is put aside and
 * decided after every other job, in the same order: requests within a guarantee go first, so a
 * borrower never takes capacity an owner asks for in the same pass (and is not reclaimed next pass).
 */
export class JobQueue {
  private readonly sorted: PendingJob[] | null = null;
  private readonly tiers: Map<string, PendingJob[]>[] = [];
  private heap: Lane[] = [];
  private tier = -1;
  private last: Lane | null = null;
  private readonly deferred: JobRequest[] = [];
  private drained = 0;
  private taken = 0;
  private offered = 0;
  readonly length: number;

  constructor(
    queue: readonly PendingJob[],
    private readonly ledger: QuotaLedger | null,
  ) {
    this.length = queue.length;
    const sorted = [...queue].sort(queueOrder);
    if (!ledger) {
      this.sorted = sorted;
      return;
    }
    // Tiers in queue order: priority ↓, re-queued first. Within a tier, lanes per (pool, project).
    let key = '';
    for (const j of sorted) {
      const k = `${j.priority}/${j.requeued ? 1 : 0}`;
      if (k !== key || this.tiers.length === 0) {
        this.tiers.push(new Map());
        key = k;
      }
      const lanes = this.tiers[this.tiers.length - 1];
      const lane = `${j.pool}\u0000${j.project ?? ''}`;
      const list = lanes.get(lane);
      if (list) list.push(j);
      else lanes.set(lane, [j]);
    }
  }

  get done(): boolean {
    return this.taken >= this.length;
  }

  get remaining(): number {
    return this.length - this.taken;
  }

  next(): JobRequest {
    if (this.sorted) return toJobRequest(this.sorted[this.taken], this.taken++);
    for (;;) {
      if (this.offered === this.length) {
        this.taken++;
        return this.deferred[this.drained++];
      }
      const job = this.offer();
      const j = job.job;
      if (!j.tasks && this.ledger!.manages(j.pool) && this.ledger!.wouldBorrow(j.pool, j.project, chargeOf(job))) {
        this.deferred.push(job);
        continue;
      }
      this.taken++;
      return job;
    }
  }

  /** The next job in fair-share order (deferred or not). */
  private offer(): JobRequest {
    // The lane taken last goes back with its share as it is now (its job may have been placed).
    if (this.last) {
      if (this.last.at < this.last.jobs.length) this.push(this.rank(this.last));
      this.last = null;
    }
    while (this.heap.length === 0) {
      this.tier++;
      for (const jobs of this.tiers[this.tier].values()) this.push(this.rank({ jobs, at: 0, share: 0 }));
    }
    const lane = this.pop();
    this.last = lane;
    return toJobRequest(lane.jobs[lane.at++], this.offered++);
  }

  private rank(l: Lane): Lane {
    const j = l.jobs[l.at];
    l.share = this.ledger!.share(j.pool, j.project, { demand: demandOfFlavor(j.flavor), instances: j.nodeCount, acceleratorType: j.flavor.acceleratorType });
    return l;
  }

  // A binary heap of lanes by (share, head's queue order): a handful of projects per tier.
  private push(l: Lane): void {
    const h = this.heap;
    h.push(l);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Lane {
    const h = this.heap;
    const top = h[0];
    const end = h.pop()!;
    if (h.length > 0) {
      h[0] = end;
      for (let i = 0; ; ) {
        const a = 2 * i + 1;
        const b = a + 1;
        let m = i;
        if (a < h.length && before(h[a], h[m])) m = a;
        if (b < h.length && before(h[b], h[m])) m = b;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

interface Lane {
  jobs: PendingJob[];
  at: number;
  share: number;
}

const before = (a: Lane, b: Lane): boolean => a.share < b.share || (a.share === b.share && queueOrder(a.jobs[a.at], b.jobs[b.at]) < 0);
