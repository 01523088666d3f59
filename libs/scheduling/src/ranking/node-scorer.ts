import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';

/**
 * Ranks a feasible node for one instance (Nomad's `RankIterator`); higher is better.
 *
 * `static` scorers depend only on fixed node attributes (labels); they split the eligible nodes into
 * preference tiers that are searched best first, so a preference always beats packing. `dynamic`
 * scorers rank the candidates inside a tier.
 *
 * @example
 * ```ts
 * const preferZoneB: NodeScorer = { name: 'zone-b', stage: 'static', score: (pool, i) => (pool.labels[i].zone === 'b' ? 1 : 0) };
 * ```
 */
export interface NodeScorer {
  readonly name: string;
  readonly stage: 'static' | 'dynamic';
  score(pool: PoolIndex, slot: number, job: JobRequest): number;
}

/**
 * Ranks a supernode for one affinity group. `freeWhole` is how many whole nodes the job may use in
 * it, `preference` the static preference of the n nodes the group would take there.
 */
export interface SupernodeScorer {
  readonly name: string;
  score(freeWhole: number, groupSize: number, preference: number): number;
}
