import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import type { CheckContext, FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/**
 * Held capacity (a reservation for a job ahead in the queue) admits a backfill instance only when
 * 1. the instance is expected to end before the hold starts (its `maxRunHours` is known, and so is
 *    the hold's start), or
 * 2. it fits the hold's *spare*: what the node will have left once the holder is placed there.
 * A hold for whole nodes has no spare, and an affinity-group instance (which would own the node)
 * never uses spare.
 */
export const reservationChecker: FeasibilityChecker = {
  name: 'reservation',
  stage: 'dynamic',
  check: (pool, i, job, ctx) => {
    const h = pool.holdOf[i];
    if (h < 0 || ctx.holdMode === 'ignore-holds') return undefined;
    const hold = pool.holds[h];
    if (hold.jobId === job.jobId) return undefined;
    if (ctx.holdMode === 'exclusive') return FilterReason.ReservedForOtherJob;
    if (endsBefore(job, ctx, hold.startsAt)) return undefined;
    if (hold.whole || job.wholeNode) return FilterReason.ReservedForOtherJob;
    const d = job.demand;
    return d.cpu <= pool.spareCpu[i] && d.memoryMiB <= pool.spareMem[i] && d.gpu <= pool.spareGpu[i] && d.npu <= pool.spareNpu[i]
      ? undefined
      : FilterReason.ReservedForOtherJob;
  },
  commit: (pool, i, job, ctx) => {
    const h = pool.holdOf[i];
    if (h < 0 || ctx.holdMode !== 'live' || pool.holds[h].jobId === job.jobId || endsBefore(job, ctx, pool.holds[h].startsAt)) return;
    const d = job.demand;
    pool.setSpare(i, pool.spareCpu[i] - d.cpu, pool.spareMem[i] - d.memoryMiB, pool.spareGpu[i] - d.gpu, pool.spareNpu[i] - d.npu);
  },
};

/** The job is known to end no later than `startsAt` (NaN = unknown start: never). */
export const endsBefore = (job: JobRequest, ctx: CheckContext, startsAt: number): boolean =>
  job.runMs !== undefined && ctx.now + job.runMs <= startsAt;

/** The holder of slot `i`, or undefined. */
export const holderOf = (pool: PoolIndex, i: number): string | undefined => (pool.holdOf[i] < 0 ? undefined : pool.holds[pool.holdOf[i]].jobId);
