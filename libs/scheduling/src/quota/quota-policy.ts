/**
 * A resource a quota counts, per job instance × instances:
 * - `cpu` (cores), `memoryMiB`, `gpu`, `npu`: every job of the pool;
 * - `gpu/<acceleratorType>`, `npu/<acceleratorType>`: only jobs whose flavor names that accelerator
 *   model (`flavor.acceleratorType`), e.g. `gpu/nvidia-h100`.
 * A quota limits only the resources it names.
 */
export type QuotaResource = 'cpu' | 'memoryMiB' | 'gpu' | 'npu' | `gpu/${string}` | `npu/${string}`;
export type QuotaAmounts = Partial<Record<QuotaResource, number>>;

/** The project a job without one is charged to. */
export const DEFAULT_PROJECT = 'default';

/**
 * One project's quota in one pool.
 *
 * - `guaranteed`: always the project's. Lent to its cohort while idle, and reclaimed — by preempting
 *   the borrowers, with notice — as soon as the project needs it.
 * - `limit`: the most it may hold, borrowing included. Default: `guaranteed` without a cohort (no
 *   borrowing), unbounded with one (bounded by what the cohort has idle).
 * - `cohort`: projects of one pool with the same cohort lend each other idle guaranteed quota.
 * - `weight`: its fair share of the pool relative to the other projects (default 1).
 *
 * @example
 * ```ts
 * { project: 'vision', pool: 'a100', cohort: 'research', guaranteed: { 'gpu/nvidia-a100': 32, cpu: 512 }, limit: { 'gpu/nvidia-a100': 48 }, weight: 2 }
 * ```
 */
export interface ProjectQuota {
  project: string;
  pool: string;
  guaranteed: QuotaAmounts;
  limit?: QuotaAmounts;
  cohort?: string;
  weight?: number;
}

/**
 * A project's past usage of a pool, averaged with exponential decay (`decayUsage`): with a half-life
 * h, what it held h ago counts half. Units as node capacity (cores, MiB, devices).
 */
export interface PastUsage {
  project: string;
  pool: string;
  cpu?: number;
  memoryMiB?: number;
  gpu?: number;
  npu?: number;
}

/**
 * What the planner knows about sharing. A pool with at least one quota is *quota-managed*: every
 * job of it is charged to its project, a project without a quota there may not run there
 * (`NO_QUOTA`), equal-priority jobs are ordered by fair share, and preemption across projects only
 * reclaims borrowed quota. Other pools plan as if there were no quotas at all.
 */
export interface QuotaPolicy {
  quotas: readonly ProjectQuota[];
  usage?: readonly PastUsage[];
}

/** One preemption the service committed (for the cycle guard). */
export interface PastPreemption {
  victimJobId: string;
  forJobId: string;
  /** ISO time it was decided. */
  at: string;
}
