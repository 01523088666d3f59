import type { JobWaitReason, ResourceName } from '@trainyard/contracts';
import type { WaitingJob } from '@trainyard/scheduling';

/**
 * Turns one of the planner's waiting entries into the job's wait reason (the `JobWaiting` payload):
 * its named reason and the numbers a person needs — position, shortfall, blocker, victims, cause.
 * Each reason of the planner's union carries its own numbers; the ones a person needs are kept.
 *
 * @example
 * ```ts
 * toWaitReason({ jobId: 'j', reason: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'j2' }) // { code: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'j2' }
 * ```
 */
export function toWaitReason(waiting: WaitingJob): JobWaitReason {
  const w = waiting as WaitingJob & Record<string, unknown>;
  const out: JobWaitReason = { code: w.reason };
  if (typeof w.position === 'number') out.position = w.position;
  const deficit = amounts(w.deficit);
  if (deficit) out.deficit = deficit;
  if (typeof w.unplacedInstances === 'number') out.unplacedInstances = w.unplacedInstances;
  if (typeof w.blockedBy === 'string') out.blockedBy = w.blockedBy;
  if (typeof w.cause === 'string') out.cause = w.cause;
  if (Array.isArray(w.victims)) out.victims = w.victims.filter((v): v is string => typeof v === 'string');
  const reservation = w.reservation as { startsAt?: string | null } | undefined;
  if (reservation && 'startsAt' in reservation) out.startsAt = reservation.startsAt ?? null;
  const groups = w.affinityGroups as { needed?: unknown; allocatable?: unknown } | undefined;
  if (groups && typeof groups.needed === 'number' && typeof groups.allocatable === 'number') {
    out.affinityGroups = { needed: groups.needed, allocatable: groups.allocatable };
  }
  if (waiting.causes?.length) out.causes = waiting.causes.map((c) => c.kind);
  if (waiting.reason === 'QUOTA_EXCEEDED') {
    if (waiting.shortfalls.length) out.shortfalls = waiting.shortfalls.map((q) => ({ ...q, ...(q.cohort ? { cohort: { ...q.cohort } } : {}) }));
    if (waiting.noQuota) out.noQuota = true;
    if (waiting.borrowingNeedsPreemptible) out.detail = 'beyond its guarantee only a preemptible job may borrow';
  }
  if (waiting.estimatedStart !== undefined) out.estimatedStart = waiting.estimatedStart;
  return out;
}

const RESOURCES: readonly ResourceName[] = ['cpu', 'memoryMiB', 'gpu', 'npu'];

function amounts(v: unknown): Partial<Record<ResourceName, number>> | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const out: Partial<Record<ResourceName, number>> = {};
  for (const r of RESOURCES) {
    const n = (v as Record<string, unknown>)[r];
    if (typeof n === 'number' && n > 0) out[r] = n;
  }
  return Object.keys(out).length ? out : undefined;
}
