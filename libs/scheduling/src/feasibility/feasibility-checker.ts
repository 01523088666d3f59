import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import type { FilterReason } from './filter-reason';

/**
 * How held capacity (reservations) is treated during a placement attempt:
 * - `live`: the real pass — a job may backfill onto held capacity only within the rules of
 *   `ReservationChecker`;
 * - `exclusive`: what-if for a job that would itself hold capacity — other holds are off limits;
 * - `ignore-holds`: what-if "would it fit without them", to tell `BEHIND_IN_QUEUE` apart.
 */
export type HoldMode = 'live' | 'exclusive' | 'ignore-holds';

export interface CheckContext {
  /** Epoch ms of the view's `now`. */
  now: number;
  holdMode: HoldMode;
}

/**
 * One small feasibility rule (Nomad's `FeasibilityChecker`). It looks at one node slot for one
 * instance and names why the node is rejected, or returns undefined.
 *
 * `static` checkers depend only on fixed node attributes (labels, capacity, schedulable) and the job;
 * they run once per pool and job shape and their result is cached as a bitset. `dynamic` checkers
 * depend on free capacity and holds and run on every candidate.
 *
 * @example
 * ```ts
 * const acceleratorTypeChecker: FeasibilityChecker = {
 *   name: 'accelerator-type', stage: 'static',
 *   check: (pool, i, job) => job.acceleratorType && pool.acceleratorType[i] !== job.acceleratorType ? FilterReason.AcceleratorTypeMismatch : undefined,
 * };
 * ```
 */
export interface FeasibilityChecker {
  readonly name: string;
  readonly stage: 'static' | 'dynamic';
  check(pool: PoolIndex, slot: number, job: JobRequest, ctx: CheckContext): FilterReason | undefined;
  /** Called when an instance is placed on a slot this checker admitted (a reservation charges its spare). */
  commit?(pool: PoolIndex, slot: number, job: JobRequest, ctx: CheckContext): void;
}
