import type { CheckContext } from '../feasibility/feasibility-checker';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import type { PoolIndex } from '../index/pool-index';
import type { JobRequest } from '../queue/job-request';
import { placeGroups } from './group-placer';
import { placeInstances, roomBound } from './instance-placer';
import type { PlacementAttempt } from './placement-attempt';
import type { PlacementMetrics } from './placement-metrics';

/** Places a whole gang or nothing: affinity groups on supernodes, or instance by instance. */
export function placeGang(pool: PoolIndex, job: JobRequest, sf: StaticFeasibility, stack: GangStack, ctx: CheckContext, m: PlacementMetrics | null): PlacementAttempt {
  if (job.groupSize > 0) return placeGroups(pool, job, sf, stack, ctx, m);
  const room = roomBound(pool, job);
  if (room < job.instances) {
    m?.reset();
    // At least this many instances have no room: the bound is all that was computed.
    return { ok: false, placed: room };
  }
  return placeInstances(pool, job, sf, stack, ctx, m);
}
