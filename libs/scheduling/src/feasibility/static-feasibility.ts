import { Bitset } from '../index/bitset';
import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import type { NodeScorer } from '../ranking/node-scorer';
import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** A preference tier: eligible slots sharing one static preference score. */
export interface PreferenceTier {
  score: number;
  /** Null = every eligible slot (the mask). */
  slots: Bitset | null;
}

/**
 * The outcome of the static checkers and scorers for one job shape on one pool — computed once and
 * shared by every job with the same `staticKey` (Nomad caches feasibility per computed node class
 * for the same reason).
 */
export interface StaticFeasibility {
  /** Eligible slots; null when every schedulable node is eligible. */
  mask: Bitset | null;
  eligible: number;
  /** Nodes rejected per reason, and a sample of (slot, reason). */
  filtered: Partial<Record<FilterReason, number>>;
  sample: [number, FilterReason][];
  /** Best first. One tier (score 0, the mask) when the job states no preference. */
  tiers: PreferenceTier[];
  /** Static preference per slot, when the job states any. */
  preference: Float64Array | null;
  /** Instances the eligible nodes hold when empty. */
  slotsWhenEmpty: number;
  /** Affinity groups the supernodes hold when empty (group jobs). */
  groupsWhenEmpty: number;
  /** The largest node rejected only for size: the instance's shortfall there. */
  largestTooSmall?: number;
}

export function computeStaticFeasibility(
  pool: PoolIndex,
  job: JobRequest,
  checkers: readonly FeasibilityChecker[],
  scorers: readonly NodeScorer[],
  sampleLimit: number,
): StaticFeasibility {
  const n = pool.size;
  const mask = new Bitset(n);
  const filtered: Partial<Record<FilterReason, number>> = {};
  const sample: [number, FilterReason][] = [];
  const ctx = { now: 0, holdMode: 'ignore-holds' as const };
  const hasPreferences = job.preferred.length + job.avoided.length + job.avoidNodes.size > 0;
  const preference = hasPreferences ? new Float64Array(n) : null;
  let eligible = 0;
  let schedulable = 0;
  let slotsWhenEmpty = 0;
  let largestTooSmall: number | undefined;
  const d = job.demand;
  for (let i = 0; i < n; i++) {
    if (pool.schedulable[i]) schedulable++;
    let reason: FilterReason | undefined;
    for (const c of checkers) if ((reason = c.check(pool, i, job, ctx))) break;
    if (reason) {
      filtered[reason] = (filtered[reason] ?? 0) + 1;
      if (sample.length < sampleLimit) sample.push([i, reason]);
      if (reason === FilterReason.InstanceLargerThanNode && (largestTooSmall === undefined || size(pool, i) > size(pool, largestTooSmall))) largestTooSmall = i;
      continue;
    }
    mask.add(i);
    eligible++;
    slotsWhenEmpty += Math.min(fit(pool.capCpu[i], d.cpu), fit(pool.capMem[i], d.memoryMiB), fit(pool.capGpu[i], d.gpu), fit(pool.capNpu[i], d.npu));
    if (preference) for (const s of scorers) preference[i] += s.score(pool, i, job);
  }

  let groupsWhenEmpty = 0;
  if (job.groupSize > 0) for (const sn of pool.supernodes) groupsWhenEmpty += Math.floor(mask.countRange(sn.start, sn.end) / job.groupSize);

  const everyone = eligible === schedulable;
  const tiers: PreferenceTier[] = [];
  if (!preference) tiers.push({ score: 0, slots: everyone ? null : mask });
  else {
    const byScore = new Map<number, Bitset>();
    for (let i = 0; i < n; i++) {
      if (!mask.has(i)) continue;
      let b = byScore.get(preference[i]);
      if (!b) byScore.set(preference[i], (b = new Bitset(n)));
      b.add(i);
    }
    for (const [score, slots] of [...byScore].sort((a, b) => b[0] - a[0])) tiers.push({ score, slots });
  }
  return { mask: everyone ? null : mask, eligible, filtered, sample, tiers, preference, slotsWhenEmpty, groupsWhenEmpty, largestTooSmall };
}

const fit = (cap: number, need: number) => (need > 0 ? Math.floor(cap / need) : Number.POSITIVE_INFINITY);
const size = (pool: PoolIndex, i: number) => (pool.capGpu[i] + pool.capNpu[i]) * 1e12 + pool.capCpu[i] * 1e5 + pool.capMem[i];
