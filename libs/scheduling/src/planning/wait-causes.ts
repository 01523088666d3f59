import { FilterReason } from '../feasibility/filter-reason';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import { placeGang } from '../placement/gang-placer';
import { roomBound } from '../placement/instance-placer';
import type { PlacementAttempt } from '../placement/placement-attempt';
import { PlacementMetrics, type MetricsSnapshot } from '../placement/placement-metrics';
import { instanceDeficit } from '../placement/shortfall';
import { WaitCauseKind, WaitReason, type AffinityGroupCount, type WaitCause, type WaitingJob } from '../plan';
import type { PlannerOptions } from '../planner-options';
import type { QuotaBlock } from '../quota/quota-ledger';
import { quotaFreesAt } from '../quota/quota-frees-at';
import type { JobRequest } from '../queue/job-request';
import type { PoolState } from './pool-state';
import type { VictimRules } from './preemption-planner';
import { iso } from './reservation-ledger';
import { findReservation } from './reservation-planner';
import { unplacedAfter } from './wait-reasons';

/** What the planner found while deciding one job, for `completeWait`. */
export interface WaitContext {
  state: PoolState;
  job: JobRequest;
  sf: StaticFeasibility;
  failure?: { attempt: Extract<PlacementAttempt, { ok: false }>; metrics: MetricsSnapshot };
  quota?: QuotaBlock;
  /** The start of the hold it got (preemption pending). */
  startsAt?: string | null;
}

/** Static rejections that come from the job's placement rules rather than from the node's size or state. */
const AFFINITY_FILTERS = [FilterReason.RequiredAffinityUnmet, FilterReason.RequiredAntiAffinityMatched, FilterReason.NotInSupernode] as const;

/**
 * Every reason that holds at once for a waiting job, and when it may start (`completeWaitReasons`).
 * The decided `reason` is one of them; e.g. a job over its quota is also told whether the pool would
 * have room for it, and an affinity rule that excluded nodes is named beside the missing capacity.
 */
export function completeWait(
  w: WaitingJob,
  ctx: WaitContext | null,
  state: PoolState | undefined,
  opts: PlannerOptions,
  rules: VictimRules,
): { causes: WaitCause[]; estimatedStart?: string | null } {
  if (w.reason === WaitReason.NoNodesInPool) return { causes: [{ kind: WaitCauseKind.NoNodes }], estimatedStart: null };
  if (w.reason === WaitReason.NeverFits) return { causes: [{ kind: WaitCauseKind.NeverFits, cause: w.cause }], estimatedStart: null };
  if (!ctx || !state) return { causes: [] };
  const { job, sf } = ctx;
  const causes: WaitCause[] = [];
  if (ctx.quota) {
    const q = ctx.quota;
    causes.push({
      kind: WaitCauseKind.Quota,
      shortfalls: q.shortfalls,
      ...(q.noQuota ? { noQuota: true as const } : {}),
      ...(q.borrowingNeedsPreemptible ? { borrowingNeedsPreemptible: true as const } : {}),
    });
  }
  let groups: AffinityGroupCount | undefined;
  switch (w.reason) {
    case WaitReason.InsufficientResources:
      causes.push({ kind: WaitCauseKind.Capacity, deficit: w.deficit, unplacedInstances: w.unplacedInstances });
      groups = w.affinityGroups;
      if ((ctx.failure?.metrics.counts[FilterReason.ReservedForOtherJob] ?? 0) > 0) {
        const holder = [...ctx.failure!.metrics.holders].sort((a, b) => b[1] - a[1])[0]?.[0];
        if (holder) causes.push({ kind: WaitCauseKind.Reservation, heldFor: holder });
      }
      break;
    case WaitReason.HoldingReservation:
      causes.push({ kind: WaitCauseKind.Capacity, deficit: w.deficit, unplacedInstances: w.unplacedInstances });
      groups = w.affinityGroups;
      break;
    case WaitReason.BehindInQueue:
      causes.push({ kind: WaitCauseKind.Reservation, heldFor: w.blockedBy });
      break;
    case WaitReason.PreemptionPending:
      causes.push({ kind: WaitCauseKind.Preemption, victims: w.victims });
      break;
    case WaitReason.QuotaExceeded:
      for (const c of probeCapacity(state, job, sf, opts, rules.now)) {
        causes.push(c);
        if (c.kind === WaitCauseKind.Affinity) groups = c.affinityGroups;
      }
      break;
  }
  const short = causes.some((c) => c.kind === WaitCauseKind.Capacity);
  if (short && !causes.some((c) => c.kind === WaitCauseKind.Affinity)) {
    const affinity = affinityCause(sf, groups);
    if (affinity) causes.push(affinity);
  }

  if (state.estimates >= opts.startEstimatesPerPool) return { causes };
  state.estimates++;
  let capacityAt: number | null;
  if (w.reason === WaitReason.HoldingReservation) capacityAt = parse(w.reservation.startsAt);
  else if (w.reason === WaitReason.PreemptionPending) capacityAt = parse(ctx.startsAt ?? null);
  else if (!short && w.reason !== WaitReason.BehindInQueue) capacityAt = rules.now;
  else {
    const hold = findReservation(state, job, sf, opts.stack, rules.now);
    capacityAt = hold && !Number.isNaN(hold.startsAt) ? hold.startsAt : null;
  }
  const quotaAt = ctx.quota && w.reason !== WaitReason.PreemptionPending ? (rules.quota ? quotaFreesAt(rules.quota, job, state.running, rules.now) : null) : rules.now;
  const at = capacityAt === null || quotaAt === null ? null : Math.max(capacityAt, quotaAt);
  return { causes, estimatedStart: at === null ? null : iso(at) };
}

/**
 * Would the pool have room for a job its quota stops? One live attempt (holds of jobs ahead
 * respected): room → no other cause; held capacity in the way → RESERVATION; else CAPACITY.
 * Remembered per job shape while the pool is unchanged, like the planner's failure memo.
 */
function probeCapacity(state: PoolState, job: JobRequest, sf: StaticFeasibility, opts: PlannerOptions, now: number): WaitCause[] {
  const pool = state.index;
  const key = `${job.staticKey}\u0000${job.instances}\u0000${job.runMs ?? ''}`;
  const memo = state.probes.get(key);
  if (memo && memo.version === pool.version) return memo.causes;
  const causes: WaitCause[] = [];
  // The O(levels) bound first: in a full pool it answers without a placement attempt.
  if (roomBound(pool, job) < job.instances) {
    causes.push({ kind: WaitCauseKind.Capacity, deficit: instanceDeficit(pool, job, sf), unplacedInstances: job.instances - Math.max(0, roomBound(pool, job)) });
    state.probes.set(key, { version: pool.version, causes });
    return causes;
  }
  const m = new PlacementMetrics(0);
  const live = placeGang(pool, job, sf, opts.stack, { now, holdMode: 'live' }, m);
  if (live.ok) pool.rollback(live.mark);
  else {
    const holder = m.mainHolder();
    if (holder !== undefined) causes.push({ kind: WaitCauseKind.Reservation, heldFor: holder });
    if (holder === undefined || (m.counts[FilterReason.ReservedForOtherJob] ?? 0) < m.evaluated) {
      causes.push({ kind: WaitCauseKind.Capacity, deficit: live.deficit ?? instanceDeficit(pool, job, sf), unplacedInstances: unplacedAfter(job, live.placed, live.groups) });
      const affinity = affinityCause(sf, live.groups);
      if (affinity) causes.push(affinity);
    }
  }
  state.probes.set(key, { version: pool.version, causes });
  return causes;
}

function affinityCause(sf: StaticFeasibility, groups: AffinityGroupCount | undefined): WaitCause | undefined {
  let excluded = 0;
  for (const r of AFFINITY_FILTERS) excluded += sf.filtered[r] ?? 0;
  const groupsShort = groups !== undefined && groups.allocatable < groups.needed;
  if (excluded === 0 && !groupsShort) return undefined;
  return { kind: WaitCauseKind.Affinity, excludedNodes: excluded, ...(groupsShort ? { affinityGroups: { ...groups } } : {}) };
}

const parse = (t: string | null): number | null => (t === null ? null : Date.parse(t));
