import type { JobWaitReason, ResourceName } from '@trainyard/contracts';

/**
 * When a new wait reason is worth an event (`JobWaiting`). The planner re-explains every waiting job
 * on every pass, and its numbers move with every task that starts or ends: as partial fits come and
 * go, one job's reason alternates between "short of cpu 0.25; 2 instances without room" and "1
 * instance without room", or between `INSUFFICIENT_RESOURCES` and `BEHIND_IN_QUEUE`, pass after pass
 * (issue 9 saw 60 events in 15 s). So an event is recorded for what a person waiting would care about:
 *
 * - **the first reason**, and **a change of cause** ({@link waitCause}): not enough capacity (the
 *   codes `INSUFFICIENT_RESOURCES` and `BEHIND_IN_QUEUE`, which trade places as capacity frees and
 *   fills), capacity held for it (`HOLDING_RESERVATION`), a preemption for it (`PREEMPTION_PENDING`),
 *   no nodes in its pool, or never fitting (and why). Recorded at once.
 * - **a refresh of the numbers** while the cause stays: only when they moved materially
 *   ({@link waitDetailsMoved}), at least `refreshMs` after the last event, and at most `maxRefreshes`
 *   times per cause — so the events of one cause are bounded (1 + `maxRefreshes`), whatever the
 *   number of passes.
 *
 * @example
 * ```ts
 * const last = { reason: { code: 'INSUFFICIENT_RESOURCES', unplacedInstances: 2 }, at: '2026-01-01T00:00:00Z', refreshes: 0 };
 * waitReasonWorthRecording(last, { code: 'BEHIND_IN_QUEUE', blockedBy: 'j1' }, '2026-01-01T00:00:01Z')    // false: same cause, too soon
 * waitReasonWorthRecording(last, { code: 'HOLDING_RESERVATION', startsAt: null }, '2026-01-01T00:00:01Z') // true: new cause
 * ```
 */
export function waitReasonWorthRecording(
  last: LastWaitReason | undefined,
  next: JobWaitReason,
  now: string,
  policy: Partial<WaitReasonPolicy> = {},
  instances?: number,
): boolean {
  if (!last?.reason) return true;
  if (waitCause(last.reason) !== waitCause(next)) return true;
  const p = { ...DEFAULT_WAIT_REASON_POLICY, ...policy };
  if ((last.refreshes ?? 0) >= p.maxRefreshes) return false;
  if (last.at !== undefined && Date.parse(now) - Date.parse(last.at) < p.refreshMs) return false;
  return waitDetailsMoved(last.reason, next, instances);
}

/** The last recorded reason of a job, when it was recorded, and how many refreshes of its cause followed. */
export interface LastWaitReason {
  reason: JobWaitReason;
  /** Time of the `JobWaiting` that recorded it (absent: unknown, no interval applies). */
  at?: string;
  /** Events recorded since the cause last changed (0 right after a change). */
  refreshes?: number;
}

/** How often the numbers of an unchanged cause may be refreshed (decision 10: configuration). */
export interface WaitReasonPolicy {
  /** Least time between two events of one job whose cause did not change. Default 60 s. */
  refreshMs: number;
  /** Most refreshes of one cause after its first event. Default 3. */
  maxRefreshes: number;
}

export const DEFAULT_WAIT_REASON_POLICY: WaitReasonPolicy = { refreshMs: 60_000, maxRefreshes: 3 };

/**
 * The planner's codes (libs/scheduling `WaitReason`) by the cause a person sees. The two capacity
 * codes are one cause: which of them applies flips as jobs ahead hold, release and consume capacity.
 */
export const WAIT_CAUSES: Readonly<Record<string, string>> = {
  INSUFFICIENT_RESOURCES: 'capacity',
  BEHIND_IN_QUEUE: 'capacity',
  HOLDING_RESERVATION: 'held-for-it',
  PREEMPTION_PENDING: 'preempting-for-it',
  NO_NODES_IN_POOL: 'no-nodes',
  NEVER_FITS: 'never-fits',
  QUOTA_EXCEEDED: 'quota',
};

/** What blocks the job, as a person sees it; a code it does not know is a cause of its own. */
export function waitCause(r: JobWaitReason): string {
  const cause = WAIT_CAUSES[r.code] ?? `code:${r.code}`;
  return cause === 'never-fits' ? `${cause}:${r.cause ?? ''}` : cause;
}

/**
 * Whether the numbers of a reason moved enough to be worth a refresh:
 *
 * - another code of the same cause, another job it waits behind, another set of victims, other
 *   affinity-group numbers, another `detail`;
 * - a reservation's expected start appearing or disappearing (its exact time drifts as jobs run);
 * - instances without room going from all to some or back (`instances` known), or changing (unknown);
 * - a resource appearing in or leaving the shortfall, or an amount moving by more than 10 %;
 * - the position moving into a better band (1 — the head —, 2–5, 6–20, 21–100, over 100), or past the
 *   end of its band by a margin (a quarter of the band's end, at least 2): a position that wobbles
 *   across a boundary does not count twice.
 */
export function waitDetailsMoved(prev: JobWaitReason, next: JobWaitReason, instances?: number): boolean {
  if (prev.code !== next.code || prev.blockedBy !== next.blockedBy || prev.detail !== next.detail) return true;
  if (sorted(prev.victims) !== sorted(next.victims)) return true;
  if ((prev.startsAt ?? null) === null ? (next.startsAt ?? null) !== null : (next.startsAt ?? null) === null) return true;
  if (prev.affinityGroups?.needed !== next.affinityGroups?.needed || prev.affinityGroups?.allocatable !== next.affinityGroups?.allocatable) return true;
  if (shortage(prev.unplacedInstances, instances) !== shortage(next.unplacedInstances, instances)) return true;
  if (positionMoved(prev.position, next.position)) return true;
  return deficitChanged(prev.deficit ?? {}, next.deficit ?? {});
}

const sorted = (xs: readonly string[] | undefined) => (xs ? [...xs].sort().join(',') : '');

function shortage(unplaced: number | undefined, instances: number | undefined): string {
  if (unplaced === undefined) return '';
  if (instances === undefined) return String(unplaced);
  return unplaced >= instances ? 'all' : 'some';
}

/** Relative change of a shortfall amount that counts as material. */
export const MATERIAL_DEFICIT_CHANGE = 0.1;

/** Upper ends of the position bands; past the last one is the band "over 100". */
const BANDS = [1, 5, 20, 100] as const;

function band(position: number): number {
  const i = BANDS.findIndex((upper) => position <= upper);
  return i === -1 ? BANDS.length : i;
}

function positionMoved(prev: number | undefined, next: number | undefined): boolean {
  if (prev === undefined || next === undefined) return prev !== next;
  const b = band(prev);
  if (band(next) < b) return true;
  if (b === BANDS.length) return false;
  const end = BANDS[b];
  return next > end + Math.max(2, Math.ceil(end / 4));
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
