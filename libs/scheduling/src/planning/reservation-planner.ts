import type { CheckContext } from '../feasibility/feasibility-checker';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import type { HeldTask } from '../index/release-schedule';
import { placeGang } from '../placement/gang-placer';
import type { JobRequest } from '../queue/job-request';
import { captureHold, type HoldPlan } from './hold-plan';
import type { PoolState } from './pool-state';

/**
 * When, and where, could `job` start if nothing else were placed? Release the pool's tasks in order
 * of expected end (unknown ends last) until the gang fits, Slurm-backfill style. Fitting is monotone
 * in the number of groups released, so a galloping then binary search needs O(log groups) what-if
 * placements. Capacity held for other jobs is off limits (`exclusive`).
 *
 * Returns null when the job does not fit even once every task has ended.
 */
export function findReservation(state: PoolState, job: JobRequest, sf: StaticFeasibility, stack: GangStack, now: number): HoldPlan | null {
  const pool = state.index;
  const rel = state.releases;
  const ctx: CheckContext = { now, holdMode: 'exclusive' };
  const mask = sf.mask;
  const relevant = (t: HeldTask) => (!mask || mask.has(t.slot)) && pool.holdOf[t.slot] < 0;

  const probe = (groups: number): HoldPlan | null => {
    const mark = pool.begin();
    for (let g = 0; g < groups; g++) for (const t of rel.group(g)) if (relevant(t)) pool.release(t.slot, t.demand, t.whole);
    const a = placeGang(pool, job, sf, stack, ctx, null);
    let out: HoldPlan | null = null;
    if (a.ok) {
      const end = groups === 0 ? now : Math.max(now, rel.endOf(groups - 1));
      out = captureHold(pool, a.slots, job.groupSize > 0, Number.isFinite(end) ? end : Number.NaN);
      pool.rollback(a.mark);
    }
    pool.rollback(mark);
    return out;
  };

  // Galloping: 1, 2, 4… groups until it fits, then binary search the last gap.
  const total = rel.length;
  let lo = 0;
  let hi = -1;
  let best: HoldPlan | null = null;
  for (let step = 1; ; step *= 2) {
    const p = Math.min(lo + step, total);
    if (p === lo) return null;
    const r = probe(p);
    if (r) {
      [hi, best] = [p, r];
      break;
    }
    lo = p;
    if (p === total) return null;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const r = probe(mid);
    if (r) [hi, best] = [mid, r];
    else lo = mid;
  }
  return best;
}
