import type { JobWaitReason, ResourceName } from '@trainyard/contracts';

/**
 * When a new wait reason is worth an event (`JobWaiting`). The planner re-explains every waiting job
 * on every pass; appending each explanation would flood the log, so only a *material* change counts:
 *
 * - the code changes (`BEHIND_IN_QUEUE` → `INSUFFICIENT_RESOURCES`), or the job it waits behind, the
 *   never-fits cause, the set of jobs preempted for it, or the affinity-group numbers;
 * - a reservation's expected start appears or disappears (its exact time drifts as jobs run);
 * - the number of instances without room changes;
 * - a resource appears in or leaves the shortfall, or an amount moves by more than 10 %;
 * - the position crosses a band: 1 (head), 2–5, 6–20, 21–100, over 100. Small moves inside a band are
 *   noise as the queue drains one job at a time; reaching the head always counts.
 *
 * @example
 * ```ts
 * waitReasonChanged({ code: 'BEHIND_IN_QUEUE', position: 4, blockedBy: 'a' }, { code: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'a' }) // false
 * waitReasonChanged({ code: 'BEHIND_IN_QUEUE', position: 2, blockedBy: 'a' }, { code: 'INSUFFICIENT_RESOURCES', position: 1 })            // true
 * ```
 */
export function waitReasonChanged(prev: JobWaitReason | undefined, next: JobWaitReason): boolean {
  if (!prev) return true;
  if (prev.code !== next.code || prev.blockedBy !== next.blockedBy || prev.unplacedInstances !== next.unplacedInstances) return true;
  if (prev.detail !== next.detail || prev.cause !== next.cause) return true;
  if (sorted(prev.victims) !== sorted(next.victims)) return true;
  if ((prev.startsAt ?? null) === null ? (next.startsAt ?? null) !== null : (next.startsAt ?? null) === null) return true;
  if (prev.affinityGroups?.needed !== next.affinityGroups?.needed || prev.affinityGroups?.allocatable !== next.affinityGroups?.allocatable) return true;
  if (positionBand(prev.position) !== positionBand(next.position)) return true;
  return deficitChanged(prev.deficit ?? {}, next.deficit ?? {});
}

const sorted = (xs: readonly string[] | undefined) => (xs ? [...xs].sort().join(',') : '');

/** Relative change of a shortfall amount that counts as material. */
export const MATERIAL_DEFICIT_CHANGE = 0.1;

const BANDS = [1, 5, 20, 100] as const;

function positionBand(position: number | undefined): number {
  if (position === undefined) return -1;
  const i = BANDS.findIndex((upper) => position <= upper);
  return i === -1 ? BANDS.length : i;
}

function deficitChanged(a: Partial<Record<ResourceName, number>>, b: Partial<Record<ResourceName, number>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as ResourceName[]);
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === undefined || y === undefined) return true;
    if (Math.abs(x - y) > MATERIAL_DEFICIT_CHANGE * Math.max(Math.abs(x), Math.abs(y))) return true;
  }
  return false;
}
