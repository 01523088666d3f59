import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** An affinity-group instance must land in a supernode: nodes without the supernode label are out. */
export const supernodeChecker: FeasibilityChecker = {
  name: 'supernode',
  stage: 'static',
  check: (pool, i, job) => (job.groupSize > 0 && pool.supernodeOf[i] < 0 ? FilterReason.NotInSupernode : undefined),
};
