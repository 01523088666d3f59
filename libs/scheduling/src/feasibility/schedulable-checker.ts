import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** Nodes that stopped heartbeating or are cordoned take no new work. */
export const schedulableChecker: FeasibilityChecker = {
  name: 'schedulable',
  stage: 'static',
  check: (pool, i) => (pool.schedulable[i] === 1 ? undefined : FilterReason.NotSchedulable),
};
