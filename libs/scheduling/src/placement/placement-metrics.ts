import type { FilterReason } from '../feasibility/filter-reason';
import type { PoolIndex } from '../index/pool-index';
import { holderOf } from '../feasibility/reservation-checker';
import { FilterReason as R } from '../feasibility/filter-reason';

/**
 * What one placement attempt saw (Nomad's `AllocMetric`): nodes evaluated, rejections per named
 * reason (each node counted once per gang attempt), a sample of rejected nodes, and whose holds got
 * in the way.
 */
export interface MetricsSnapshot {
  evaluated: number;
  counts: Partial<Record<FilterReason, number>>;
  sample: [string, FilterReason][];
  holders: Map<string, number>;
}

export class PlacementMetrics {
  evaluated = 0;
  counts: Partial<Record<FilterReason, number>> = {};
  sample: [string, FilterReason][] = [];
  /** Holder job id → nodes its hold denied. */
  holders = new Map<string, number>();

  constructor(private readonly sampleLimit: number) {}

  reset(): void {
    // Most resets follow a scan that rejected nothing: allocate only when there is something to drop.
    this.evaluated = 0;
    if (this.sample.length > 0 || Object.keys(this.counts).length > 0) {
      this.counts = {};
      this.sample = [];
    }
    if (this.holders.size > 0) this.holders = new Map();
  }

  /** What the last attempt saw, to replay for an identical job (see `PlanSession`). */
  snapshot(): MetricsSnapshot {
    return { evaluated: this.evaluated, counts: { ...this.counts }, sample: [...this.sample], holders: new Map(this.holders) };
  }

  /** Copies back, so later rejections never write into the snapshot. */
  restore(s: MetricsSnapshot): void {
    this.evaluated = s.evaluated;
    this.counts = { ...s.counts };
    this.sample = [...s.sample];
    this.holders = new Map(s.holders);
  }

  reject(pool: PoolIndex, slot: number, reason: FilterReason): void {
    this.counts[reason] = (this.counts[reason] ?? 0) + 1;
    if (this.sample.length < this.sampleLimit) this.sample.push([pool.ids[slot], reason]);
    if (reason === R.ReservedForOtherJob) {
      const h = holderOf(pool, slot)!;
      this.holders.set(h, (this.holders.get(h) ?? 0) + 1);
    }
  }

  /** The holder that denied the most nodes. */
  mainHolder(): string | undefined {
    let best: string | undefined;
    let most = 0;
    for (const [h, n] of this.holders) if (n > most) [best, most] = [h, n];
    return best;
  }
}
