import type { NatsConnection } from '@nats-io/transport-node';
import type { StoredCommit } from '@trainyard/contracts';
import type { WaitReasonPolicy } from '@trainyard/domain';
import type { EventLog } from '@trainyard/event-log';
import { HeartbeatTracker } from '@trainyard/liveness';
import type { ReplicaControl, ReplicaPolicy } from '@trainyard/replica';
import { planGangs, type PendingJob, type PlannerOptions, type ReservationRecord } from '@trainyard/scheduling';
import { histogram, LATENCY_BUCKETS } from '@trainyard/telemetry';
import { BatchCommitter, type BatchResult } from './batch-committer';
import { ClusterState } from './cluster-state';
import { buildClusterView, type SchedulerView } from './cluster-view.builder';
import { DRY_RUN_JOB_ID, dryRunVerdict, type DryRunVerdict } from './dry-run';
import { DryRunBudget } from './dry-run-budget';
import { followUpActions } from './follow-up-actions';
import { jobActions } from './job-actions';
import { JobTraceContexts } from './job-trace-contexts';
import { QuotaAccounting } from './quota-accounting';

export interface SchedulerOptions {
  /** A node whose last heartbeat is older than this gets no new work. */
  heartbeatTimeoutMs: number;
  /** Grace period between SIGTERM and SIGKILL when tasks are stopped. */
  stopGraceMs: number;
  /** How often liveness and timers are re-checked even when the log is quiet. */
  tickMs: number;
  /** Grace period of a preemption notice (SIGTERM to every rank, then SIGKILL). Default 30 s. */
  preemptGraceMs: number;
  /** Minimum run time: a run younger than this is never preempted. Default 10 min. */
  minRunMs: number;
  /** A job never preempts one that preempted it less than this long ago (issue 16). Default 1 h. */
  preemptionCycleWindowMs: number;
  /** Half-life of the past usage fair share orders projects by (issue 16). Default 7 days. */
  fairShareHalfLifeMs: number;
  /** Length of one hour of `spec.maxRunHours` (tests shorten it). Default 1 h. */
  hourMs: number;
  /** A job re-queued after a run fails after waiting this long ("30 minutes", ch12 §2.3). */
  requeueTimeoutMs: number;
  /** A placed job none of whose tasks started this long after its placement ends abnormal (J03, L9938). Default 1 h. */
  preparationTimeoutMs: number;
  /** How often the numbers of an unchanged wait cause are recorded again (`DEFAULT_WAIT_REASON_POLICY`: 60 s, 3 times). */
  waitReasons?: Partial<WaitReasonPolicy>;
  /**
   * Leader lease (decision 7): only the holder plans, commits and answers commands; other replicas
   * stay warm on the log. `false` makes this replica act alone without a lease.
   */
  lease: false | { bucket: string; key: string; ttlMs: number; holder?: string };
  log?: (msg: string) => void;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  heartbeatTimeoutMs: 10_000,
  stopGraceMs: 10_000,
  tickMs: 1_000,
  preemptGraceMs: 30_000,
  minRunMs: 10 * 60_000,
  preemptionCycleWindowMs: 60 * 60_000,
  fairShareHalfLifeMs: 7 * 24 * 3_600_000,
  hourMs: 3_600_000,
  requeueTimeoutMs: 30 * 60_000,
  // J03: an hour from placement to the first start (staging inputs of up to 10 GB, an image pull) — our choice; the guide names none.
  preparationTimeoutMs: 60 * 60_000,
  lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 3_000 },
};

/**
 * The scheduling policy, plugged into a `ReplicaShell` (libs/replica): every replica folds the whole
 * event log into its cluster state; while it holds the leader lease, every pass plans the queue (pure
 * planner) and commits what the plan and the state call for: placements, preemptions, auto stops,
 * re-queue time-outs and wait reasons on the jobs' subjects, then assignments and stop requests on the
 * nodes' subjects. All of it is recomputed from state, so a restart or a new leader picks up where the
 * last one left off. Job commands are answered by `SchedulerCommands` on the same state.
 */
export class SchedulerService implements ReplicaPolicy {
  readonly options: SchedulerOptions;
  readonly state: ClusterState;
  /** Each job's trace context, so placement and assignments continue the submission's trace. */
  private readonly traces = new JobTraceContexts();
  private readonly heartbeats: HeartbeatTracker;
  private readonly committer: BatchCommitter;
  private readonly passSeconds = histogram('trainyard_scheduler_pass_seconds', 'Scheduling decision latency: one pass (plan and commit)', [], LATENCY_BUCKETS);
  /** The previous plan's reservations: the planner remembers when each hold began through them. */
  private reservations: readonly ReservationRecord[] = [];
  private readonly lastComplaint = new Map<string, string>();
  private replica?: ReplicaControl;
  /** Configured quotas, decayed usage for fair share, quota metrics (issue 16). */
  readonly quotas: QuotaAccounting;
  /** Dry runs may use a quarter of the leader's time (bursts of a second), never the passes' share. */
  /** When this replica began hearing heartbeats (liveness is unknown before one timeout has passed). */
  private listeningSince = 0;
  private readonly dryRuns = new DryRunBudget({ msPerSecond: 250, burstMs: 1000 }, () => performance.now());

  constructor(
    nc: NatsConnection,
    log: EventLog,
    options: Partial<SchedulerOptions> = DEFAULT_SCHEDULER_OPTIONS,
    readonly clock: () => Date = () => new Date(),
  ) {
    this.options = { ...DEFAULT_SCHEDULER_OPTIONS, ...options };
    this.heartbeats = new HeartbeatTracker(nc);
    this.state = new ClusterState(this.options.fairShareHalfLifeMs);
    this.quotas = new QuotaAccounting(this.state);
    this.committer = new BatchCommitter(log, this.state, () => this.replica?.isLeader() === true, this.traces);
  }

  start(replica: ReplicaControl): void {
    this.replica = replica;
    this.heartbeats.start();
    this.listeningSince = Date.now();
  }

  /**
   * Whether a registered node may still be alive unheard: this replica began listening for heartbeats
   * less than a heartbeat timeout ago and has not heard from every registered node. A restarted
   * control plane would otherwise record NO_NODES_IN_POOL for every queued job, then the real reason
   * again a moment later — two wait events per restart that say nothing about the job.
   */
  private livenessSettling(): boolean {
    if (Date.now() - this.listeningSince >= this.options.heartbeatTimeoutMs) return false;
    for (const [id, node] of this.state.nodes) {
      if (node.state.status === 'registered' && this.heartbeats.status(id, this.options.heartbeatTimeoutMs).status === 'unknown') return true;
    }
    return false;
  }

  stop(): void {
    this.heartbeats.stop();
    this.quotas.stepDown();
  }

  apply(commit: StoredCommit): void {
    this.state.apply(commit);
    this.traces.apply(commit);
    // Only the leader wrote it live: one count per reclaim, not one per replica or replay.
    if (this.replica?.isLeader()) this.quotas.countReclaims(commit);
    else this.quotas.stepDown();
  }

  async pass(replica: ReplicaControl): Promise<void> {
    const endPass = this.passSeconds.startTimer();
    try {
      const now = this.clock();
      const o = this.options;
      const view = this.view(now);
      // The configured quotas and the usage decayed up to now gate placement, borrowing and reclaim.
      const quotas = this.quotas.policy(view.running, now);
      const plan = planGangs(quotas ? { ...view, quotas } : view, this.plannerOptions());
      this.reservations = plan.reservations;
      const actions = jobActions(this.state, plan, now, { ...o, recordWaits: !this.livenessSettling() });
      const jobs = await this.committer.jobs(actions);
      this.report(jobs);
      // Our own commits must come back through the log first, so the next pass does not repeat them.
      await replica.caughtUpTo(jobs.last);

      const nodes = await this.committer.nodes(followUpActions(this.state), o.stopGraceMs, now);
      this.report(nodes);
      await replica.caughtUpTo(nodes.last);
    } finally {
      endPass();
    }
  }

  /**
   * A dry run (issue 16): the plan a pass would make now with `job` queued behind every waiting job,
   * read for that job alone. Nothing is committed and nothing the passes keep is changed.
   */
  dryRun(job: Omit<PendingJob, 'jobId' | 'queuedSeq'>): DryRunVerdict {
    this.dryRuns.take();
    const started = performance.now();
    const now = this.clock();
    const view = this.view(now);
    const quotas = this.quotas.quotas();
    const pending: PendingJob = { ...job, jobId: DRY_RUN_JOB_ID, queuedSeq: Number.MAX_SAFE_INTEGER };
    const planned = { ...view, queue: [...view.queue, pending], ...(quotas.length ? { quotas: { quotas, usage: this.state.usage.at(now.getTime()) } } : {}) };
    const plan = planGangs(planned, this.plannerOptions());
    this.dryRuns.spent(performance.now() - started);
    return dryRunVerdict(plan, { pool: job.pool, project: job.project ?? 'default' });
  }

  private view(now: Date): SchedulerView {
    const isLive = (id: string) => this.heartbeats.status(id, this.options.heartbeatTimeoutMs).status === 'ready';
    return buildClusterView(this.state, isLive, now, { hourMs: this.options.hourMs }, this.reservations);
  }

  /** Every reason that holds and start estimates go into JobWaiting (issue 16). */
  private plannerOptions(): Partial<PlannerOptions> {
    const o = this.options;
    return { minRunTimeMs: o.minRunMs, completeWaitReasons: true, preemptionCycleWindowMs: o.preemptionCycleWindowMs };
  }

  private report(r: BatchResult): void {
    // A refusal repeats every pass until the state changes: say it once per subject and reason.
    for (const { subject, reason } of r.rejected) {
      if (this.lastComplaint.get(subject) === reason) continue;
      this.lastComplaint.set(subject, reason);
      this.say(`${subject}: refused ${reason}`);
    }
    for (const { subject, error } of r.failed) this.say(`${subject}: commit failed: ${error.message}`);
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[scheduler] ${m}`)))(msg);
  }
}
