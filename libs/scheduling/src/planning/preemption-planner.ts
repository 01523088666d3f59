import type { CheckContext } from '../feasibility/feasibility-checker';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import { placeGang } from '../placement/gang-placer';
import type { JobRequest } from '../queue/job-request';
import { captureHold, type HoldPlan } from './hold-plan';
import type { PoolState, RunningEntry } from './pool-state';

/** Single victims tried one by one before falling back to a prefix search. */
const SINGLE_VICTIM_TRIES = 64;

export interface PreemptionChoice {
  victims: RunningEntry[];
  hold: HoldPlan;
}

/**
 * Which running jobs to stop so `job` can be placed now, or null.
 *
 * Eligible victims: preemptible, strictly lower priority, not already being preempted, started at
 * least `minRunTimeMs` ago (a job not started yet is protected), with a task on a node the job may
 * use. Never anything else — whatever the search does, it only ever looks at this list.
 *
 * The smallest set, ordered by: fewest jobs, then lowest priority, then most recently started
 * (least work lost). Victims are ranked by (priority ↑, start ↓); one victim is tried in that
 * order first, which is exact for one. Otherwise the shortest prefix of the ranking that makes
 * room is found (galloping + binary search; fitting is monotone in the prefix), then pruned from its
 * least-preferred end: a minimal set — the exact minimum is a set-cover problem.
 */
export function findVictims(state: PoolState, job: JobRequest, sf: StaticFeasibility, stack: GangStack, now: number, minRunTimeMs: number): PreemptionChoice | null {
  const pool = state.index;
  const mask = sf.mask;
  const candidates = state.running
    .filter(
      (r) =>
        r.preemptible &&
        r.priority < job.priority &&
        !r.preemptedFor &&
        !Number.isNaN(r.startedAt) &&
        now - r.startedAt >= minRunTimeMs &&
        r.slots.some((s) => pool.schedulable[s] === 1 && (!mask || mask.has(s))),
    )
    .sort((a, b) => a.priority - b.priority || b.startedAt - a.startedAt || (a.jobId < b.jobId ? -1 : 1));
  if (candidates.length === 0) return null;

  const pending = state.victimsFor(job.jobId);
  const ctx: CheckContext = { now, holdMode: 'exclusive' };
  const d = job.demand;
  const k = job.instances;
  const t = pool.totals;
  const released = (set: readonly RunningEntry[]) => {
    const r = { cpu: t.cpu, memoryMiB: t.memoryMiB, gpu: t.gpu, npu: t.npu };
    for (const v of set) {
      for (const s of v.slots) {
        r.cpu += v.demand.cpu;
        r.memoryMiB += v.demand.memoryMiB;
        r.gpu += v.demand.gpu;
        r.npu += v.demand.npu;
        // A node owned whole is not in the totals at all; released, all of its free capacity counts.
        if (v.whole) {
          r.cpu += pool.freeCpu[s];
          r.memoryMiB += pool.freeMem[s];
          r.gpu += pool.freeGpu[s];
          r.npu += pool.freeNpu[s];
        }
      }
    }
    return r;
  };
  // Necessary condition on totals, before any what-if placement.
  const enough = (set: readonly RunningEntry[]) => {
    const r = released(set);
    return r.cpu >= k * d.cpu && r.memoryMiB >= k * d.memoryMiB && r.gpu >= k * d.gpu && r.npu >= k * d.npu;
  };
  const fitsWith = (victims: readonly RunningEntry[]): HoldPlan | null => {
    const mark = pool.begin();
    for (const v of [...pending, ...victims]) for (const s of v.slots) pool.release(s, v.demand, v.whole);
    const a = placeGang(pool, job, sf, stack, ctx, null);
    let out: HoldPlan | null = null;
    if (a.ok) {
      out = captureHold(pool, a.slots, job.groupSize > 0, now);
      pool.rollback(a.mark);
    }
    pool.rollback(mark);
    return out;
  };

  if (!enough([...pending, ...candidates])) return null;

  let tries = 0;
  for (const c of candidates) {
    if (tries >= SINGLE_VICTIM_TRIES) break;
    if (!enough([...pending, c])) continue;
    tries++;
    const hold = fitsWith([c]);
    if (hold) return { victims: [c], hold };
  }

  let lo = 1;
  let hi = -1;
  let best: HoldPlan | null = null;
  for (let step = 1; ; step *= 2) {
    const p = Math.min(lo + step, candidates.length);
    if (p === lo) return null;
    const r = enough([...pending, ...candidates.slice(0, p)]) ? fitsWith(candidates.slice(0, p)) : null;
    if (r) {
      [hi, best] = [p, r];
      break;
    }
    lo = p;
    if (p === candidates.length) return null;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    const r = fitsWith(candidates.slice(0, mid));
    if (r) [hi, best] = [mid, r];
    else lo = mid;
  }
  let victims = candidates.slice(0, hi);
  for (let i = victims.length - 1; i >= 0 && victims.length > 1; i--) {
    const without = victims.filter((_, j) => j !== i);
    const r = fitsWith(without);
    if (r) [victims, best] = [without, r];
  }
  return { victims, hold: best! };
}
