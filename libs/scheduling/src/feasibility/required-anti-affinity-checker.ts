import { selectorMatches } from '../queue/job-request';
import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** 禁止部署 (strong anti-affinity): no required anti-affinity rule may match the node. */
export const requiredAntiAffinityChecker: FeasibilityChecker = {
  name: 'required-anti-affinity',
  stage: 'static',
  check: (pool, i, job) => {
    for (const s of job.forbidden) if (selectorMatches(s, pool.ids[i], pool.labels[i])) return FilterReason.RequiredAntiAffinityMatched;
    return undefined;
  },
};
