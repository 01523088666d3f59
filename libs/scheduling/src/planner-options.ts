import { createGangStack, type GangStack } from './gang-stack';

/**
 * Policy knobs of the planner. Times are inputs like `now`, so tests run the real rules in
 * milliseconds (ARCHITECTURE decision 10).
 *
 * @example
 * ```ts
 * planGangs(view, { reservationTtlMs: 10 * 60_000, minRunTimeMs: 5 * 60_000 });
 * ```
 */
export interface PlannerOptions {
  /** How long a job may hold capacity (a reservation) before the hold lapses. */
  reservationTtlMs: number;
  /** After a hold lapses, how long the job waits before it may hold capacity again. */
  reservationBackoffMs: number;
  /** A running job is protected from preemption until it has run this long. */
  minRunTimeMs: number;
  /** Rejected nodes named per waiting job (the rest are only counted). */
  maxNodeReasons: number;
  /** Victim searches per pool per pass: bounds a pass when many jobs could preempt. */
  preemptionSearchesPerPool: number;
  /**
   * Backfill-reservation searches per pool per pass (Slurm's `bf_max_job_test`): when the head
   * cannot hold anything, the next blocked jobs try, up to this many.
   */
  reservationSearchesPerPool: number;
  /**
   * Replay a failed attempt for later jobs of the same shape while the pool is unchanged. A pure
   * speed-up; off only to check that it changes nothing.
   */
  replayFailures: boolean;
  /**
   * Every waiting job gets all the reasons that hold at once (`causes`) and, for the first
   * `startEstimatesPerPool` of each pool, an `estimatedStart`. Off, a plan is exactly as before.
   */
  completeWaitReasons: boolean;
  /** Start estimates per pool per pass (each is a release-schedule search, like a reservation). */
  startEstimatesPerPool: number;
  /**
   * A job is never chosen as the victim of a job it preempted less than this long ago
   * (`view.recentPreemptions`): the guard that stops A preempts B preempts A.
   */
  preemptionCycleWindowMs: number;
  /** The placement pipeline. */
  stack: GangStack;
}

export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = {
  reservationTtlMs: 15 * 60_000,
  reservationBackoffMs: 15 * 60_000,
  minRunTimeMs: 10 * 60_000,
  maxNodeReasons: 16,
  preemptionSearchesPerPool: 16,
  reservationSearchesPerPool: 8,
  replayFailures: true,
  completeWaitReasons: false,
  startEstimatesPerPool: 16,
  preemptionCycleWindowMs: 60 * 60_000,
  stack: createGangStack(),
};

export const resolvePlannerOptions = (options: Partial<PlannerOptions> = {}): PlannerOptions => ({ ...DEFAULT_PLANNER_OPTIONS, ...options });
