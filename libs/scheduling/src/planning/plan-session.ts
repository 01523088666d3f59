import { taskName, type TaskPlacement } from '@trainyard/contracts';
import type { ClusterView } from '../cluster-view';
import { FilterReason } from '../feasibility/filter-reason';
import type { StaticFeasibility } from '../feasibility/static-feasibility';
import { placeGang } from '../placement/gang-placer';
import type { PlacementAttempt } from '../placement/placement-attempt';
import { PlacementMetrics, type MetricsSnapshot } from '../placement/placement-metrics';
import { ReservationKind, WaitReason, type FilterCounts, type JobPlacement, type Plan, type Preemption, type ResourceAmounts, type WaitingJob } from '../plan';
import { resolvePlannerOptions, type PlannerOptions } from '../planner-options';
import { toJobRequest, type JobRequest } from '../queue/job-request';
import { JobQueue } from '../queue/job-queue';
import { chargeOf, QuotaLedger, type QuotaBlock, type QuotaVerdict } from '../quota/quota-ledger';
import { PreemptionCycleGuard } from './preemption-cycle-guard';
import { completeWait, type WaitContext } from './wait-causes';
import { applyHold, type HoldPlan } from './hold-plan';
import type { PoolState } from './pool-state';
import { buildPools } from './standing-pools';
import { findVictims, type PreemptionChoice, type VictimRules } from './preemption-planner';
import { findReservation } from './reservation-planner';
import { iso, ReservationLedger, type HoldStatus } from './reservation-ledger';
import { instanceDeficit } from '../placement/shortfall';
import { filterCounts, neverFits, nodeReasons, poolDeficit, unplacedAfter } from './wait-reasons';

type FailedAttempt = Extract<PlacementAttempt, { ok: false }>;

/** A failed live attempt and what was derived from it, valid while the pool's version holds. */
interface Failure {
  version: number;
  attempt: FailedAttempt;
  metrics: MetricsSnapshot;
  /** Holder it waits behind; null = not behind a hold; undefined = not worked out yet. */
  behind?: string | null;
  explained?: { filtered: FilterCounts; nodeReasons: Record<string, FilterReason> };
  deficit?: ResourceAmounts;
}

/** What one step decided for one job. */
export type Decision = { jobId: string; outcome: 'placed'; instances: number } | { jobId: string; outcome: 'waiting'; reason: WaitReason };

/**
 * One planning pass, one job at a time in queue order. `planGangs` runs it to the end; a benchmark
 * or a dry run can time or trace each `step()`. Building the session indexes the cluster (the
 * fixed cost of a pass); every step then decides exactly one job:
 *
 * 1. no schedulable node in its pool → NO_NODES_IN_POOL; cannot fit the pool even empty → NEVER_FITS
 *    (it blocks no one);
 * 2. place it whole now, respecting holds of jobs ahead → placed;
 * 3. otherwise, if its hold lapsed, it waits in back-off (holds nothing, preempts nothing);
 * 4. victims already being stopped for it → keep their capacity held → PREEMPTION_PENDING;
 * 5. the first job of its pool that cannot be placed gets the pool's backfill reservation;
 * 6. when that reservation is not useful (start unknown, or after the hold would expire) — or the
 *    job is not the head — it may preempt strictly lower-priority preemptible jobs;
 * 7. else it waits: BEHIND_IN_QUEUE when only held capacity stops it, INSUFFICIENT_RESOURCES otherwise.
 *
 * @example
 * ```ts
 * const session = new PlanSession(view, { minRunTimeMs: 10 * 60_000 });
 * while (!session.done) {
 *   const t = performance.now();
 *   const d = session.step(); // { jobId: 'j7', outcome: 'waiting', reason: 'BEHIND_IN_QUEUE' }
 *   timings.push(performance.now() - t);
 * }
 * const plan = session.plan();
 * ```
 */
export class PlanSession {
  private readonly opts: PlannerOptions;
  private readonly now: number;
  private readonly queue: JobQueue;
  private readonly quota: QuotaLedger | null;
  private readonly guard: PreemptionCycleGuard;
  private readonly rules: VictimRules;
  /** What the job being decided has been found to face, for complete wait reasons. */
  private context: WaitContext | null = null;
  private readonly pools: Map<string, PoolState>;
  private readonly ledger: ReservationLedger;
  private readonly metrics: PlacementMetrics;
  private readonly place: JobPlacement[] = [];
  private readonly waiting: WaitingJob[] = [];
  private readonly preempt: Preemption[] = [];
  private readonly positions = new Map<string, number>();
  private readonly failures = new Map<string, Failure>();

  /**
   * `pools`: the pools of a standing view, begun for this pass at `view.now` (`IncrementalPlanner`);
   * without them they are built from `view.nodes` and `view.running`.
   */
  constructor(view: ClusterView, options: Partial<PlannerOptions> = {}, pools?: Map<string, PoolState>) {
    this.opts = resolvePlannerOptions(options);
    this.now = Date.parse(view.now);
    this.pools = pools ?? buildPools(view, this.now, this.opts.stack, this.opts.maxNodeReasons);
    this.ledger = new ReservationLedger(view.reservations ?? [], this.now, this.opts.reservationTtlMs, this.opts.reservationBackoffMs);
    this.quota = QuotaLedger.from(view);
    this.queue = new JobQueue(view.queue, this.quota);
    this.guard = new PreemptionCycleGuard(view.recentPreemptions ?? [], this.now, this.opts.preemptionCycleWindowMs);
    this.rules = { now: this.now, minRunTimeMs: this.opts.minRunTimeMs, quota: this.quota, guard: this.guard };
    // A job within its guarantee whose victims are being stopped has that quota claimed until it is
    // decided. A borrower's claim would keep an owner from its own guarantee, so it has none.
    if (this.quota) {
      for (const j of view.queue) {
        if (!this.quota.manages(j.pool) || j.tasks) continue;
        const s = this.ledger.status(j.jobId);
        if (s.state !== 'active' || s.kind !== ReservationKind.Preemption) continue;
        const c = chargeOf(toJobRequest(j, 0));
        if (!this.quota.wouldBorrow(j.pool, j.project, c)) this.quota.claim(j.jobId, j.pool, j.project, c);
      }
    }
    this.metrics = new PlacementMetrics(this.opts.maxNodeReasons);
  }

  get done(): boolean {
    return this.queue.done;
  }

  get remaining(): number {
    return this.queue.remaining;
  }

  /** Decides the next job in queue order. */
  step(): Decision {
    const job = this.queue.next();
    this.context = null;
    const placed = this.decide(job);
    return placed ? { jobId: job.jobId, outcome: 'placed', instances: job.instances } : { jobId: job.jobId, outcome: 'waiting', reason: this.waiting[this.waiting.length - 1].reason };
  }

  plan(): Plan {
    while (!this.done) this.step();
    return {
      place: this.place,
      waiting: this.waiting,
      preempt: this.preempt,
      reservations: this.ledger.out,
      ...(this.guard.prevented.length > 0 ? { cyclesPrevented: this.guard.prevented } : {}),
    };
  }

  // ------------------------------------------------------------------ one job

  private decide(job: JobRequest): boolean {
    const state = this.pools.get(job.pool);
    if (!state || state.schedulable === 0) return this.wait(job, { jobId: job.jobId, reason: WaitReason.NoNodesInPool, position: 0 });
    const pool = state.index;
    const sf = state.staticFeasibility(job);
    const never = neverFits(job, sf, pool);
    if (never) {
      const nodes = nodeReasons(pool, sf, null, this.opts.maxNodeReasons);
      return this.wait(job, { jobId: job.jobId, reason: WaitReason.NeverFits, position: 0, ...never, filtered: { ...sf.filtered }, nodeReasons: nodes });
    }

    if (this.opts.completeWaitReasons) this.context = { state, job, sf };
    // Quotas first: a job its project's quota has no room for is not placed whatever the capacity;
    // it may preempt its project's lower-priority jobs or reclaim lent quota, else it waits and
    // blocks no one. A lost task of a running job was admitted with it and is not checked again.
    let verdict: QuotaVerdict | undefined;
    if (this.quota?.manages(job.pool) && !job.job.tasks) {
      this.quota.release(job.jobId);
      verdict = this.quota.check(job.pool, job.job.project, chargeOf(job), job.job.preemptible === true);
      if (!verdict.ok) return this.quotaBlocked(state, job, sf, verdict);
    }

    const memo = this.recall(state, job);
    const attempt = memo ? memo.attempt : placeGang(pool, job, sf, this.opts.stack, { now: this.now, holdMode: 'live' }, this.metrics);
    if (attempt.ok) {
      pool.keep(attempt.mark);
      this.record(state, job, attempt.slots);
      this.quota?.place(job.pool, job.job.project, chargeOf(job));
      return true;
    }
    const failure = memo ?? this.remember(state, job, attempt);
    if (this.context) this.context.failure = failure;
    // A running job's lost task (pod reschedule) takes free room only: it neither holds capacity
    // nor preempts; it waits for the next pass (the fault manager checked a node could take it).
    if (job.job.tasks) return this.waitForCapacity(state, job, sf, failure, { state: 'none' });

    const status = this.ledger.status(job.jobId);
    if (status.state === 'lapsed') {
      this.ledger.recordLapsed(pool.name, job.jobId, status);
      return this.waitForCapacity(state, job, sf, failure, status);
    }

    const pending = state.victimsFor(job.jobId);
    if (pending.length > 0) {
      const plan = findReservation(state, job, sf, this.opts.stack, this.now);
      if (plan) return this.holdForPreemption(state, job, plan, pending.map((v) => v.jobId), false);
    }

    let reservation: HoldPlan | null = null;
    const head = state.backfillHolder === undefined && state.reservationSearches < this.opts.reservationSearchesPerPool;
    if (head) {
      state.reservationSearches++;
      reservation = findReservation(state, job, sf, this.opts.stack, this.now);
    }
    const since = this.ledger.sinceFor(job.jobId, ReservationKind.Backfill, false);
    const useful = reservation !== null && reservation.startsAt <= since + this.opts.reservationTtlMs;
    // A guarantee is the project's now: lent quota is reclaimed even when waiting would pay off.
    const reclaim = verdict?.ok === true && !verdict.borrowing;

    if ((!useful || reclaim) && state.preemptionSearches < this.opts.preemptionSearchesPerPool && (reclaim || this.mayPreempt(state, job))) {
      state.preemptionSearches++;
      const choice = findVictims(state, job, sf, this.opts.stack, { ...this.rules, reclaimOnly: useful });
      if (choice) {
        this.commitPreemption(state, job, choice);
        if (head) state.backfillHolder = job.jobId;
        return this.holdForPreemption(state, job, choice.hold, [...pending, ...choice.victims].map((v) => v.jobId), true);
      }
    }

    if (reservation) {
      state.backfillHolder = job.jobId;
      applyHold(pool, job.jobId, reservation, ReservationKind.Backfill);
      const r = this.ledger.recordActive(pool, job.jobId, ReservationKind.Backfill, since, reservation);
      return this.wait(job, {
        jobId: job.jobId,
        reason: WaitReason.HoldingReservation,
        position: 0,
        reservation: { kind: r.kind, startsAt: r.startsAt, expiresAt: r.expiresAt, nodes: r.nodes.length },
        deficit: attempt.deficit ?? instanceDeficit(pool, job, sf),
        unplacedInstances: unplacedAfter(job, attempt.placed, attempt.groups),
        ...(attempt.groups ? { affinityGroups: attempt.groups } : {}),
        ...this.explain(state, job, sf, failure),
      });
    }
    return this.waitForCapacity(state, job, sf, failure, status);
  }

  private commitPreemption(state: PoolState, job: JobRequest, choice: PreemptionChoice): void {
    // Claimed from now on, for the rest of this pass too: a borrower decided later must not take
    // what the victims give back (their own charge stays until they are gone: never over quota).
    if (this.quota?.manages(job.pool) && !job.job.tasks) {
      const c = chargeOf(job);
      if (!this.quota.wouldBorrow(job.pool, job.job.project, c)) this.quota.claim(job.jobId, job.pool, job.job.project, c);
    }
    for (const v of choice.victims) {
      state.markPreempted(v, job.jobId);
      this.preempt.push({ victimJobId: v.jobId, forJobId: job.jobId, ...(choice.reclaimed.has(v.jobId) ? { kind: 'reclaim' as const } : {}) });
    }
  }

  /**
   * Its quota has no room. Victims already stopping for it keep their capacity held; else it may
   * preempt its own project's lower-priority jobs or reclaim quota its cohort borrowed (when within
   * its guarantee); else it waits QUOTA_EXCEEDED, holding nothing.
   */
  private quotaBlocked(state: PoolState, job: JobRequest, sf: StaticFeasibility, block: QuotaBlock): boolean {
    if (this.context) this.context.quota = block;
    const pending = state.victimsFor(job.jobId);
    if (pending.length > 0) {
      const plan = findReservation(state, job, sf, this.opts.stack, this.now);
      if (plan) return this.holdForPreemption(state, job, plan, pending.map((v) => v.jobId), false);
    }
    const lapsed = this.ledger.status(job.jobId).state === 'lapsed';
    if (
      !lapsed &&
      !block.noQuota &&
      state.preemptionSearches < this.opts.preemptionSearchesPerPool &&
      (block.withinGuaranteed || this.mayPreempt(state, job))
    ) {
      state.preemptionSearches++;
      const choice = findVictims(state, job, sf, this.opts.stack, this.rules);
      if (choice) {
        this.commitPreemption(state, job, choice);
        return this.holdForPreemption(state, job, choice.hold, [...pending, ...choice.victims].map((v) => v.jobId), true);
      }
    }
    return this.wait(job, {
      jobId: job.jobId,
      reason: WaitReason.QuotaExceeded,
      position: 0,
      shortfalls: block.shortfalls,
      ...(block.noQuota ? { noQuota: true as const } : {}),
      ...(block.borrowingNeedsPreemptible ? { borrowingNeedsPreemptible: true as const } : {}),
    });
  }

  private holdForPreemption(state: PoolState, job: JobRequest, plan: HoldPlan, victims: string[], fresh: boolean): boolean {
    const since = this.ledger.sinceFor(job.jobId, ReservationKind.Preemption, fresh);
    applyHold(state.index, job.jobId, plan, ReservationKind.Preemption);
    const r = this.ledger.recordActive(state.index, job.jobId, ReservationKind.Preemption, since, plan);
    if (this.context) this.context.startsAt = r.startsAt;
    return this.wait(job, { jobId: job.jobId, reason: WaitReason.PreemptionPending, position: 0, victims, expiresAt: r.expiresAt });
  }

  /** Not placed and holding nothing: blocked by holds only, or short of capacity. */
  private waitForCapacity(state: PoolState, job: JobRequest, sf: StaticFeasibility, failure: Failure, status: HoldStatus): boolean {
    const pool = state.index;
    const explained = this.explain(state, job, sf, failure);
    if (failure.behind === undefined) {
      failure.behind = null;
      if ((failure.metrics.counts[FilterReason.ReservedForOtherJob] ?? 0) > 0) {
        const without = placeGang(pool, job, sf, this.opts.stack, { now: this.now, holdMode: 'ignore-holds' }, null);
        if (without.ok) {
          pool.rollback(without.mark);
          failure.behind = this.metrics.mainHolder() ?? state.backfillHolder ?? '';
        }
      }
    }
    if (failure.behind !== null) return this.wait(job, { jobId: job.jobId, reason: WaitReason.BehindInQueue, position: 0, blockedBy: failure.behind, ...explained });
    const { attempt } = failure;
    const unplaced = unplacedAfter(job, attempt.placed, attempt.groups);
    failure.deficit ??= attempt.deficit ?? instanceDeficit(pool, job, sf);
    return this.wait(job, {
      jobId: job.jobId,
      reason: WaitReason.InsufficientResources,
      position: 0,
      deficit: { ...failure.deficit },
      poolDeficit: poolDeficit(pool, job, unplaced),
      unplacedInstances: unplaced,
      ...(attempt.groups ? { affinityGroups: { ...attempt.groups } } : {}),
      ...(status.state === 'lapsed' ? { reservationRetryAt: iso(status.retryAt) } : {}),
      ...explained,
    });
  }

  private explain(state: PoolState, job: JobRequest, sf: StaticFeasibility, failure: Failure) {
    failure.explained ??= {
      filtered: filterCounts(state.index, job, sf, this.metrics),
      nodeReasons: nodeReasons(state.index, sf, this.metrics, this.opts.maxNodeReasons),
    };
    return { filtered: { ...failure.explained.filtered }, nodeReasons: { ...failure.explained.nodeReasons } };
  }

  // ------------------------------------------------------------------ failure memo

  /**
   * A job identical in shape to one that just failed, against an unchanged pool, fails the same way:
   * a full cluster is mostly such jobs, so their attempt and explanation are replayed, not redone.
   * The key is everything the live attempt reads: pool, static shape, instances, and which holds
   * the job would end before (the only place its running time matters); `pool.version` changes
   * with every placement and every hold.
   */
  private recall(state: PoolState, job: JobRequest): Failure | undefined {
    if (!this.opts.replayFailures) return undefined;
    const f = this.failures.get(this.failureKey(state, job));
    if (!f || f.version !== state.index.version) return undefined;
    this.metrics.restore(f.metrics);
    return f;
  }

  private remember(state: PoolState, job: JobRequest, attempt: FailedAttempt): Failure {
    const f: Failure = { version: state.index.version, attempt, metrics: this.metrics.snapshot() };
    this.failures.set(this.failureKey(state, job), f);
    return f;
  }

  private failureKey(state: PoolState, job: JobRequest): string {
    let key = `${job.pool}\u0000${job.staticKey}\u0000${job.instances}`;
    const holds = state.index.holds;
    if (job.runMs !== undefined && holds.length > 0) {
      key += '\u0000';
      for (const h of holds) key += this.now + job.runMs <= h.startsAt ? '1' : '0';
    }
    return key;
  }

  /** Some running job of the pool could be a victim by priority and preemptibility alone. */
  private mayPreempt(state: PoolState, job: JobRequest): boolean {
    return state.lowestVictimPriority() < job.priority;
  }

  private wait(job: JobRequest, w: WaitingJob): false {
    const position = (this.positions.get(job.pool) ?? 0) + 1;
    this.positions.set(job.pool, position);
    const state = this.pools.get(job.pool);
    const more = this.opts.completeWaitReasons ? completeWait(w, this.context, state, this.opts, this.rules) : undefined;
    this.waiting.push({ ...w, position, ...more });
    return false;
  }

  private record(state: PoolState, job: JobRequest, slots: readonly number[]): void {
    const pool = state.index;
    // A partial placement names its tasks; a whole gang is worker-0 … worker-(n-1).
    const named = job.job.tasks;
    const placements: TaskPlacement[] = slots.map((s, k) => {
      const index = named ? named[k].index : k;
      return { task: named ? named[k].name : taskName(index), index, nodeId: pool.ids[s], host: pool.hosts[s] };
    });
    this.place.push({ jobId: job.jobId, placements });
    const end = job.runMs !== undefined ? this.now + job.runMs : Number.POSITIVE_INFINITY;
    for (const slot of slots) state.releases.add(end, { slot, demand: job.demand, whole: job.wholeNode, jobId: job.jobId });
  }
}
