import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** One instance must fit the node's whole capacity; otherwise no amount of waiting helps. */
export const nodeSizeChecker: FeasibilityChecker = {
  name: 'node-size',
  stage: 'static',
  check: (pool, i, { demand: d }) =>
    d.cpu > pool.capCpu[i] || d.memoryMiB > pool.capMem[i] || d.gpu > pool.capGpu[i] || d.npu > pool.capNpu[i]
      ? FilterReason.InstanceLargerThanNode
      : undefined,
};
