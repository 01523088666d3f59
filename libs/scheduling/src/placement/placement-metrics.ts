import type { FilterReason } from '../feasibility/filter-reason';
import type { PoolIndex } from '../index/pool-index';
import { holderOf } from '../feasibility/reservation-checker';
import { FilterReason as R } from '../feasibility/filter-reason';

/**
 * What one placement attempt saw (Nomad's `AllocMetric`): nodes evaluated, rejections per named
 * reason, a sample of rejected nodes, and whose holds got in the way. Reset per instance, so after a
 * failed gang it describes the instance that found no room.
 */
export class PlacementMetrics {
  evaluated = 0;
  counts: Partial<Record<FilterReason, number>> = {};
  sample: [string, FilterReason][] = [];
  /** Holder job id → nodes its hold denied. */
  holders = new Map<string, number>();

  constructor(private readonly sampleLimit: number) {}

  reset(): void {
    this.evaluated = 0;
    this.counts = {};
    this.sample = [];
    this.holders.clear();
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
