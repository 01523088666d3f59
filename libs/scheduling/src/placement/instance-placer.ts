import type { CheckContext } from '../feasibility/feasibility-checker';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import { Bitset, lowestBit } from '../index/bitset';
import { cpuStepFor, type PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import type { PlacementAttempt } from './placement-attempt';
import type { PlacementMetrics } from './placement-metrics';
import { instanceDeficit } from './shortfall';

/**
 * Chooses the node for one instance: preference tiers best first; inside a tier, accelerator levels
 * from the demand upwards (best fit on the dominant resource), slots in order, skipping nodes
 * without the cores (a word at a time, via `cpuAtLeast`); the first
 * `candidateLimit` feasible nodes of the first level that has any are ranked by the dynamic scorers.
 * Returns the slot, or -1 when no node can take it.
 */
export function selectSlot(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility, stack: GangStack, ctx: CheckContext, m: PlacementMetrics | null, dead?: Bitset): number {
  const need = job.demand.gpu + job.demand.npu;
  const cw = pool.cpuAtLeast[cpuStepFor(job.demand.cpu)].words;
  const checkers = stack.dynamicCheckers;
  const scorers = stack.dynamicScorers;
  const limit = stack.candidateLimit;
  for (const tier of sf.tiers) {
    const tw = tier.slots?.words;
    for (let level = need; level <= pool.maxLevel; level++) {
      if (pool.levelCount[level] === 0) continue;
      const lw = pool.levels[level].words;
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      let found = 0;
      scan: for (let w = 0; w < lw.length; w++) {
        let x = (tw ? lw[w] & tw[w] : lw[w]) & cw[w];
        if (dead) x &= ~dead.words[w];
        while (x !== 0) {
          const i = (w << 5) | lowestBit(x);
          x &= x - 1;
          if (m) m.evaluated++;
          let reason;
          for (let c = 0; c < checkers.length && !reason; c++) reason = checkers[c].check(pool, i, job, ctx);
          if (reason) {
            m?.reject(pool, i, reason);
            dead?.add(i);
            continue;
          }
          let score = 0;
          for (let s = 0; s < scorers.length; s++) score += scorers[s].score(pool, i, job);
          if (score > bestScore) [best, bestScore] = [i, score];
          if (++found >= limit) break scan;
        }
      }
      if (best >= 0) return best;
    }
  }
  return -1;
}

/**
 * Places every instance of a gang without affinity groups, one at a time; all or nothing.
 *
 * A node rejected for one instance stays rejected for the rest of the gang (its free capacity and
 * the spare of a hold only shrink as instances are placed), so it is marked dead and never scanned
 * again; the metrics then count each rejected node once, for the whole attempt.
 */
export function placeInstances(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility, stack: GangStack, ctx: CheckContext, m: PlacementMetrics | null): PlacementAttempt {
  const mark = pool.begin();
  const slots: number[] = [];
  const dead = job.instances > 1 ? new Bitset(pool.size) : undefined;
  m?.reset();
  for (let k = 0; k < job.instances; k++) {
    const i = selectSlot(pool, job, sf, stack, ctx, m, dead);
    if (i < 0) {
      // The numbers behind "why": measured with the earlier instances still in place.
      const deficit = m && k > 0 ? instanceDeficit(pool, job, sf) : undefined;
      pool.rollback(mark);
      return { ok: false, placed: k, ...(deficit ? { deficit } : {}) };
    }
    for (const c of stack.dynamicCheckers) c.commit?.(pool, i, job, ctx);
    pool.take(i, job.demand, job.wholeNode);
    slots.push(i);
  }
  return { ok: true, slots, mark };
}

/**
 * Upper bound, O(levels): how many instances could the pool take right now? Holds and filters only
 * take capacity away, so a bound below the gang size is final and spares a full scan — what keeps
 * deciding "still waiting" cheap once the cluster is full.
 */
export function roomBound(pool: PoolIndex, job: JobRequest): number {
  const d = job.demand;
  const k = job.instances;
  const t = pool.totals;
  let room = Math.min(bound(t.cpu, d.cpu), bound(t.memoryMiB, d.memoryMiB), bound(t.gpu, d.gpu), bound(t.npu, d.npu));
  const need = d.gpu + d.npu;
  if (need > 0) {
    let levels = 0;
    for (let l = need; l <= pool.maxLevel && levels < k; l++) levels += pool.levelCount[l] * Math.floor(l / need);
    room = Math.min(room, levels);
  }
  return room;
}

const bound = (free: number, need: number) => (need > 0 ? Math.max(0, Math.floor(free / need)) : Number.POSITIVE_INFINITY);
