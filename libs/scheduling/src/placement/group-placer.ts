import type { CheckContext } from '../feasibility/feasibility-checker';
import { FilterReason } from '../feasibility/filter-reason';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import { lowestBit } from '../index/bitset';
import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import type { PlacementAttempt } from './placement-attempt';
import type { PlacementMetrics } from './placement-metrics';

/**
 * Places a supernode-affinity job (ch13): instances `[g·n, g·n+n)` form group g, and every group
 * lands on n free whole nodes of one supernode, one node per instance.
 *
 * Admission is the guide's rule (ch13 §7.3): allocatable groups = Σ over supernodes of
 * ⌊free whole nodes / n⌋ must reach the groups needed. Each group consumes n nodes of a single
 * supernode, so when the sum suffices any assignment succeeds; groups go to the best-scored
 * supernode (preference, then best fit: fewest free whole nodes).
 */
export function placeGroups(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility, stack: GangStack, ctx: CheckContext, m: PlacementMetrics | null): PlacementAttempt {
  const n = job.groupSize;
  const needed = Math.ceil(job.instances / n);
  const checkers = stack.dynamicCheckers;
  const pref = sf.preference;
  m?.reset();

  const candidates: { slots: number[]; used: number }[] = [];
  let allocatable = 0;
  const byEmpty = pool.supernodesByEmpty;
  // Supernodes in ascending order of free whole nodes (unfiltered): best fit comes first, and the
  // many supernodes of a busy pool with fewer than n free nodes are never looked at. Without
  // preferences the scan stops once enough groups are found.
  scan: for (let e = n; e < byEmpty.length; e++) {
    const words = byEmpty[e].words;
    for (let w = 0; w < words.length; w++) {
      let x = words[w];
      while (x !== 0) {
        const s = (w << 5) | lowestBit(x);
        x &= x - 1;
        const slots = freeWholeNodes(pool, s, job, sf, checkers, ctx, m);
        if (slots.length < n) {
          if (m) for (const i of slots) m.reject(pool, i, FilterReason.SupernodeGroupUnavailable);
          continue;
        }
        if (pref) slots.sort((a, b) => pref[b] - pref[a] || a - b);
        candidates.push({ slots, used: 0 });
        allocatable += Math.floor(slots.length / n);
        if (!pref && allocatable >= needed) break scan;
      }
    }
  }
  if (m && allocatable < needed) {
    // Explain the rest: free nodes in supernodes too small for a group.
    let free = 0;
    for (let e = 1; e < Math.min(n, byEmpty.length); e++) {
      if (!sf.mask) free += byEmpty[e].count() * e;
      else for (let s = 0; s < pool.supernodes.length; s++) if (byEmpty[e].has(s)) free += pool.empty.countRange(pool.supernodes[s].start, pool.supernodes[s].end, sf.mask);
    }
    if (free > 0) m.counts[FilterReason.SupernodeGroupUnavailable] = (m.counts[FilterReason.SupernodeGroupUnavailable] ?? 0) + free;
  }
  const groups = { needed, allocatable };
  if (allocatable < needed) return { ok: false, placed: 0, groups };

  const mark = pool.begin();
  const out: number[] = [];
  for (let g = 0; g < needed; g++) {
    const size = Math.min(n, job.instances - g * n);
    let best: { slots: number[]; used: number } | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const c of candidates) {
      const free = c.slots.length - c.used;
      if (free < size) continue;
      let preference = 0;
      if (pref) for (let k = 0; k < size; k++) preference += pref[c.slots[c.used + k]];
      const score = stack.supernodeScorer.score(free, n, preference);
      if (score > bestScore) [best, bestScore] = [c, score];
    }
    // Cannot happen when allocatable ≥ needed; kept so a broken invariant fails safe (no partial gang).
    if (!best) {
      pool.rollback(mark);
      return { ok: false, placed: 0, groups };
    }
    for (let k = 0; k < size; k++) {
      const i = best.slots[best.used++];
      for (const c of checkers) c.commit?.(pool, i, job, ctx);
      pool.take(i, job.demand, true);
      out.push(i);
    }
  }
  return { ok: true, slots: out, mark, groups };
}

/** The free whole nodes of supernode `s` that pass the dynamic checkers, in slot order. */
function freeWholeNodes(pool: PoolIndex, s: number, job: JobRequest, sf: StaticFeasibility, checkers: GangStack['dynamicCheckers'], ctx: CheckContext, m: PlacementMetrics | null): number[] {
  const { start, end } = pool.supernodes[s];
  const slots: number[] = [];
  for (let i = start; i < end; i++) {
    if (!pool.empty.has(i) || (sf.mask && !sf.mask.has(i))) continue;
    if (m) m.evaluated++;
    let reason;
    for (let c = 0; c < checkers.length && !reason; c++) reason = checkers[c].check(pool, i, job, ctx);
    if (reason) m?.reject(pool, i, reason);
    else slots.push(i);
  }
  return slots;
}
