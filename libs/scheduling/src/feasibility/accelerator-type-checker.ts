import type { FeasibilityChecker } from './feasibility-checker';
import { FilterReason } from './filter-reason';

/** A flavor that names an accelerator model runs only on nodes of that model. */
export const acceleratorTypeChecker: FeasibilityChecker = {
  name: 'accelerator-type',
  stage: 'static',
  check: (pool, i, job) =>
    job.acceleratorType !== undefined && pool.acceleratorType[i] !== job.acceleratorType ? FilterReason.AcceleratorTypeMismatch : undefined,
};
