import type { CheckContext } from '../feasibility/feasibility-checker';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import { placeGang } from '../placement/gang-placer';
import type { JobRequest } from '../queue/job-request';
import { captureHold, type HoldPlan } from './hold-plan';
import type { PoolState, RunningEntry } from './pool-state';
import type { PreemptionCycleGuard } from './preemption-cycle-guard';
import { chargeOf, type QuotaLedger } from '../quota/quota-ledger';
import { DEFAULT_PROJECT } from '../quota/quota-policy';

/** Single victims tried one by one before falling back to a prefix search. */
const SINGLE_VICTIM_TRIES = 64;

export interface PreemptionChoice {
  victims: RunningEntry[];
  hold: HoldPlan;
  /** Victims taken back from a borrowing project (the rest are preempted by priority). */
  reclaimed: ReadonlySet<string>;
}

/** What decides who may be stopped, beyond the pool's running jobs. */
export interface VictimRules {
  now: number;
  minRunTimeMs: number;
  /** Null = no quotas anywhere. */
  quota: QuotaLedger | null;
  guard: PreemptionCycleGuard;
  /** Only reclaim lent quota (waiting for capacity would pay off, priority preemption is not needed). */
  reclaimOnly?: boolean;
}

/**
 * Which running jobs to stop so `job` can be placed now, or null.
 *
 * Eligible victims, by priority: preemptible, strictly lower priority, not already being preempted,
 * started at least `minRunTimeMs` ago (a job not started yet is protected), with a task on a node the
 * job may use — and, in a quota-managed pool, of the job's own project (across projects only quota
 * is taken back, never a guarantee). By reclaim (quota-managed pools, for a job within its project's
 * guarantee): the preemptible, started jobs of another project of its cohort that holds more than
 * its guarantee of a resource the job needs — whatever their priority or run time, since they run on
 * lent quota. Never anything else, and never a job that preempted this one within the cycle window.
 *
 * The smallest set, ordered by: fewest jobs, then reclaimed before preempted by priority, then
 * lowest priority, then least work lost (the newest of start and last acknowledged checkpoint).
 * Victims are ranked in that order; one victim is tried in that order first, which is exact for one.
 * Otherwise the shortest prefix of the ranking that makes room is found (galloping + binary search;
 * fitting — capacity and quota — is monotone in the prefix), then pruned from its least-preferred
 * end: a minimal set — the exact minimum is a set-cover problem.
 */
export function findVictims(state: PoolState, job: JobRequest, sf: StaticFeasibility, stack: GangStack, rules: VictimRules): PreemptionChoice | null {
  const { now, minRunTimeMs, quota, guard } = rules;
  const pool = state.index;
  const mask = sf.mask;
  const managed = quota?.manages(job.pool) === true;
  const charge = chargeOf(job);
  const project = job.job.project ?? DEFAULT_PROJECT;
  let mayReclaim = false;
  if (managed) {
    const v = quota!.check(job.pool, job.job.project, charge, job.job.preemptible === true);
    mayReclaim = v.ok ? !v.borrowing : v.withinGuaranteed;
  }
  const reclaimed = new Set<string>();
  const usable = (r: RunningEntry) => r.slots.some((s) => pool.schedulable[s] === 1 && (!mask || mask.has(s)));
  const byPriority = (r: RunningEntry) =>
    !rules.reclaimOnly &&
    r.preemptible &&
    r.priority < job.priority &&
    !Number.isNaN(r.startedAt) &&
    now - r.startedAt >= minRunTimeMs &&
    (!managed || (r.project ?? DEFAULT_PROJECT) === project);
  const byReclaim = (r: RunningEntry) =>
    mayReclaim &&
    r.preemptible &&
    !Number.isNaN(r.startedAt) &&
    (r.project ?? DEFAULT_PROJECT) !== project &&
    quota!.sameCohort(job.pool, job.job.project, r.project) &&
    quota!.borrowsFor(job.pool, r.project, charge);
  const candidates = state.running
    .filter((r) => {
      if (r.preemptedFor || !usable(r)) return false;
      const reclaim = byReclaim(r);
      if (!reclaim && !byPriority(r)) return false;
      if (!guard.empty && guard.closesCycle(job.jobId, r.jobId)) return false;
      if (reclaim) reclaimed.add(r.jobId);
      return true;
    })
    .sort(
      (a, b) =>
        Number(reclaimed.has(b.jobId)) - Number(reclaimed.has(a.jobId)) ||
        a.priority - b.priority ||
        b.safeAt - a.safeAt ||
        (a.jobId < b.jobId ? -1 : 1),
    );
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
  const quotaRoom = (set: readonly RunningEntry[]) =>
    !managed || quota!.checkWithout(job.pool, job.job.project, charge, job.job.preemptible === true, set.map(stoppedCharge)).ok;
  const enough = (set: readonly RunningEntry[]) => {
    const r = released(set);
    return r.cpu >= k * d.cpu && r.memoryMiB >= k * d.memoryMiB && r.gpu >= k * d.gpu && r.npu >= k * d.npu && quotaRoom(set);
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
    if (hold) return { victims: [c], hold, reclaimed };
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
    const r = enough([...pending, ...candidates.slice(0, mid)]) ? fitsWith(candidates.slice(0, mid)) : null;
    if (r) [hi, best] = [mid, r];
    else lo = mid;
  }
  let victims = candidates.slice(0, hi);
  for (let i = victims.length - 1; i >= 0 && victims.length > 1; i--) {
    const without = victims.filter((_, j) => j !== i);
    const r = enough([...pending, ...without]) ? fitsWith(without) : null;
    if (r) [victims, best] = [without, r];
  }
  return { victims, hold: best!, reclaimed };
}

const stoppedCharge = (r: RunningEntry) => ({ project: r.project, charge: { demand: r.demand, instances: r.slots.length, acceleratorType: r.acceleratorType } });
