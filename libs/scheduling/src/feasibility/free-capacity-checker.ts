import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** The instance fits the node's free capacity; the first exhausted dimension names the reason. */
export const freeCapacityChecker: FeasibilityChecker = {
  name: 'free-capacity',
  stage: 'dynamic',
  check: (pool, i, { demand: d }) => {
    if (d.gpu > pool.freeGpu[i]) return FilterReason.InsufficientGpu;
    if (d.npu > pool.freeNpu[i]) return FilterReason.InsufficientNpu;
    if (d.cpu > pool.freeCpu[i]) return FilterReason.InsufficientCpu;
    if (d.memoryMiB > pool.freeMem[i]) return FilterReason.InsufficientMemory;
    return undefined;
  },
};
