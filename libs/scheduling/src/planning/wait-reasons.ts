import { FilterReason } from '../feasibility/filter-reason';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import { popcount } from '../index/bitset';
import type { PoolIndex } from '../index/pool-index';
import type { PlacementMetrics } from '../placement/placement-metrics';
import type { JobRequest } from '../queue/job-request';
import { NeverFitsCause, type AffinityGroupCount, type FilterCounts, type NeverFitsWait, type ResourceAmounts } from '../plan';
import { shortfall } from '../placement/shortfall';

/** Why the job cannot fit the pool even empty, or undefined when it can. */
export function neverFits(job: JobRequest, sf: StaticFeasibility, pool: PoolIndex): Omit<NeverFitsWait, 'jobId' | 'position' | 'reason'> | undefined {
  if (sf.eligible === 0) {
    if (sf.largestTooSmall === undefined) return { cause: NeverFitsCause.NoEligibleNodes };
    const i = sf.largestTooSmall;
    return { cause: NeverFitsCause.InstanceTooLarge, deficit: shortfall(job.demand, { cpu: pool.capCpu[i], memoryMiB: pool.capMem[i], gpu: pool.capGpu[i], npu: pool.capNpu[i] }) };
  }
  if (job.groupSize > 0) {
    const needed = Math.ceil(job.instances / job.groupSize);
    if (sf.groupsWhenEmpty < needed) return { cause: NeverFitsCause.AffinityGroupsTooLarge, affinityGroups: { needed, allocatable: sf.groupsWhenEmpty } };
    return undefined;
  }
  if (sf.slotsWhenEmpty < job.instances) return { cause: NeverFitsCause.GangTooLarge, capacityInstances: sf.slotsWhenEmpty };
  return undefined;
}

/** Shortfall of `instances` instances against the pool's free capacity (schedulable, not owned whole). */
export function poolDeficit(pool: PoolIndex, job: JobRequest, instances: number): ResourceAmounts {
  const d = job.demand;
  return shortfall({ cpu: d.cpu * instances, memoryMiB: d.memoryMiB * instances, gpu: d.gpu * instances, npu: d.npu * instances }, pool.totals);
}

/**
 * Static rejections, plus the failing instance's dynamic ones, plus nodes never scanned because
 * they have fewer free accelerators than one instance needs.
 */
export function filterCounts(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility, m: PlacementMetrics): FilterCounts {
  const out: FilterCounts = { ...sf.filtered };
  for (const [r, n] of Object.entries(m.counts) as [FilterReason, number][]) out[r] = (out[r] ?? 0) + n;
  const need = job.demand.gpu + job.demand.npu;
  if (need > 0 && job.groupSize === 0) {
    const mw = sf.mask?.words;
    let below = 0;
    for (let level = 0; level < Math.min(need, pool.maxLevel + 1); level++) {
      const lw = pool.levels[level].words;
      for (let w = 0; w < lw.length; w++) below += popcount(mw ? lw[w] & mw[w] : lw[w]);
    }
    const r = job.demand.gpu > 0 ? FilterReason.InsufficientGpu : FilterReason.InsufficientNpu;
    if (below > 0) out[r] = (out[r] ?? 0) + below;
  }
  return out;
}

export function nodeReasons(pool: PoolIndex, sf: StaticFeasibility, m: PlacementMetrics | null, limit: number): Record<string, FilterReason> {
  const out: Record<string, FilterReason> = {};
  let n = 0;
  for (const [slot, r] of sf.sample) {
    if (n++ >= limit) return out;
    out[pool.ids[slot]] = r;
  }
  for (const [id, r] of m?.sample ?? []) {
    if (n++ >= limit) return out;
    out[id] = r;
  }
  return out;
}

/** Instances without room after a failed attempt. */
export function unplacedAfter(job: JobRequest, placed: number, groups?: AffinityGroupCount): number {
  if (groups) return Math.max(0, job.instances - Math.min(groups.allocatable, groups.needed) * job.groupSize);
  return job.instances - placed;
}
