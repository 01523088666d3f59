import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/**
 * Affinity-group instances own their node whole (ch13 §7.2: "每个实例占满节点的所有卡"): they need a
 * node with no task, and nothing else may join a node one of them owns.
 */
export const wholeNodeChecker: FeasibilityChecker = {
  name: 'whole-node',
  stage: 'dynamic',
  check: (pool, i, job) => {
    if (pool.whole[i] === 1) return FilterReason.NodeOwnedWhole;
    if (job.wholeNode && pool.tasks[i] > 0) return FilterReason.NodeNotEmpty;
    return undefined;
  },
};
