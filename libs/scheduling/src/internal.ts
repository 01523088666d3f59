/**
 * For benchmarks and dry runs (STYLE 10): the planner's building blocks. Not part of the service
 * contract; `index.ts` is. The view builders and the in-memory harness are in @trainyard/testing/scheduling.
 */
export { PoolIndex, type Hold, type SupernodeRange } from './index/pool-index';
export { Bitset } from './index/bitset';
export { computeStaticFeasibility, type StaticFeasibility } from './feasibility/static-feasibility';
export { placeGang } from './placement/gang-placer';
export { toJobRequest, type JobRequest, type Demand } from './queue/job-request';
