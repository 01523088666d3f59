import type { PoolIndex } from '../index/pool-index';
import type { Reservation, ReservationKind, ReservationRecord } from '../plan';
import type { HoldPlan } from './hold-plan';

export type HoldStatus =
  | { state: 'none' }
  | { state: 'active'; since: number; kind: ReservationKind }
  | { state: 'lapsed'; since: number; kind: ReservationKind; retryAt: number };

/**
 * Remembers holds across passes through the records the previous plan returned. A hold lives
 * `ttl` from `since`; then it lapses for `backoff`, during which the job holds nothing (it is still
 * placed first whenever it fits, it just stops keeping capacity idle); after that it may hold again
 * with a fresh clock. So no hold lasts forever and a large job still gets a turn every
 * ttl + backoff.
 */
export class ReservationLedger {
  private readonly prior = new Map<string, ReservationRecord>();
  readonly out: Reservation[] = [];

  constructor(
    records: readonly ReservationRecord[],
    private readonly now: number,
    private readonly ttl: number,
    private readonly backoff: number,
  ) {
    for (const r of records) this.prior.set(r.jobId, r);
  }

  status(jobId: string): HoldStatus {
    const r = this.prior.get(jobId);
    if (!r) return { state: 'none' };
    const since = Date.parse(r.since);
    if (Number.isNaN(since)) return { state: 'none' };
    if (this.now < since + this.ttl) return { state: 'active', since, kind: r.kind };
    if (this.now < since + this.ttl + this.backoff) return { state: 'lapsed', since, kind: r.kind, retryAt: since + this.ttl + this.backoff };
    return { state: 'none' };
  }

  /**
   * When a hold of `kind` for the job began: the running clock of an active hold, except that a new
   * preemption starts a new one (the victims are stopped now; the hold must outlive their grace).
   */
  sinceFor(jobId: string, kind: ReservationKind, freshPreemption: boolean): number {
    const s = this.status(jobId);
    return s.state === 'active' && !(freshPreemption && kind === 'preemption') ? s.since : this.now;
  }

  recordActive(pool: PoolIndex, jobId: string, kind: ReservationKind, since: number, plan: HoldPlan): Reservation {
    const r: Reservation = {
      jobId,
      kind,
      since: iso(since),
      pool: pool.name,
      status: 'active',
      expiresAt: iso(since + this.ttl),
      startsAt: Number.isNaN(plan.startsAt) ? null : iso(plan.startsAt),
      nodes: [...plan.nodes].map(([slot, instances]) => ({ nodeId: pool.ids[slot], instances, wholeNode: plan.spare === null })),
    };
    this.out.push(r);
    return r;
  }

  recordLapsed(pool: string, jobId: string, s: Extract<HoldStatus, { state: 'lapsed' }>): void {
    this.out.push({
      jobId,
      kind: s.kind,
      since: iso(s.since),
      pool,
      status: 'lapsed',
      expiresAt: iso(s.since + this.ttl),
      retryAt: iso(s.retryAt),
      startsAt: null,
      nodes: [],
    });
  }
}

export const iso = (ms: number): string => new Date(ms).toISOString();
