import { selectorMatches } from '../queue/job-request';
import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** 严格部署 (strong affinity): every required affinity rule must match the node. */
export const requiredAffinityChecker: FeasibilityChecker = {
  name: 'required-affinity',
  stage: 'static',
  check: (pool, i, job) => {
    for (const s of job.required) if (!selectorMatches(s, pool.ids[i], pool.labels[i])) return FilterReason.RequiredAffinityUnmet;
    return undefined;
  },
};
