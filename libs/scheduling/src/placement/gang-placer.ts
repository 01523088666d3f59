import type { CheckContext } from '../feasibility/feasibility-checker';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import { placeGroups } from './group-placer';
import { mayFit, placeInstances } from './instance-placer';
import type { PlacementAttempt } from './placement-attempt';
import type { PlacementMetrics } from './placement-metrics';

/** Places a whole gang or nothing: affinity groups on supernodes, or instance by instance. */
export function placeGang(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility, stack: GangStack, ctx: CheckContext, m: PlacementMetrics | null): PlacementAttempt {
  if (job.groupSize > 0) return placeGroups(pool, job, sf, stack, ctx, m);
  if (!mayFit(pool, job)) {
    m?.reset();
    return { ok: false, placed: 0 };
  }
  return placeInstances(pool, job, sf, stack, ctx, m);
}
