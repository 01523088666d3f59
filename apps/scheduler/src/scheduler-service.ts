import type { NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { ErrorCode, Subjects, toErrorBody, TRACEPARENT, TrainyardError, type CommandReply, type CommitMeta } from '@trainyard/contracts';
import { decideOrThrow, trainingJobDecider, type TrainingJobCommand, type WaitReasonPolicy } from '@trainyard/domain';
import { handleCommand, type EventLog, type Subscription } from '@trainyard/event-log';
import { HeartbeatTracker } from '@trainyard/liveness';
import { planGangs, type ReservationRecord } from '@trainyard/scheduling';
import { randomUUID } from 'node:crypto';
import { checkAdmission } from './admission';
import { BatchCommitter, type BatchResult } from './batch-committer';
import { JobTraceContexts } from './job-trace-contexts';
import { histogram, inSpan, LATENCY_BUCKETS, SpanKind } from '@trainyard/telemetry';
import { CoalescingLoop, LeaderLease, PositionWaiters } from '@trainyard/replica';
import { ClusterState } from './cluster-state';
import { buildClusterView } from './cluster-view.builder';
import { parseCommand } from './command-intake';
import { followUpActions } from './follow-up-actions';
import { jobActions } from './job-actions';

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
  /** Length of one hour of `spec.maxRunHours` (tests shorten it). Default 1 h. */
  hourMs: number;
  /** A job re-queued after a run fails after waiting this long ("30 minutes", ch12 §2.3). */
  requeueTimeoutMs: number;
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
  hourMs: 3_600_000,
  requeueTimeoutMs: 30 * 60_000,
  lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 3_000 },
};

/**
 * The scheduler: folds the whole event log into its cluster state (every replica), and — while it
 * holds the leader lease — answers job commands (`ty.cmd.scheduler.*`) and after every change plans
 * the queue (pure planner) and commits what the plan and the state call for: placements, preemptions,
 * auto stops, re-queue time-outs and wait reasons on the jobs' subjects, then assignments and stop
 * requests on the nodes' subjects. All of it is recomputed from state, so a restart or a new leader
 * picks up where the last one left off.
 */
export class SchedulerService {
  readonly id: string;
  private readonly options: SchedulerOptions;
  private readonly state = new ClusterState();
  private readonly heartbeats: HeartbeatTracker;
  private readonly lease?: LeaderLease;
  private readonly committer: BatchCommitter;
  /** Each job's trace context, so placement and assignments continue the submission's trace. */
  private readonly traces = new JobTraceContexts();
  private readonly passSeconds = histogram('trainyard_scheduler_pass_seconds', 'Scheduling decision latency: one pass (plan and commit)', [], LATENCY_BUCKETS);
  private logSub?: Subscription;
  private cmdSub?: NatsSubscription;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  /** The previous plan's reservations: the planner remembers when each hold began through them. */
  private reservations: readonly ReservationRecord[] = [];
  private readonly waiters = new PositionWaiters(() => this.state.position);
  private readonly loop = new CoalescingLoop(
    async () => {
      const endPass = this.passSeconds.startTimer();
      await this.pass().finally(() => endPass());
    },
    () => !this.stopped && this.isLeader(),
    (err) => this.say(`scheduling pass failed: ${err.message}`),
  );
  private readonly lastComplaint = new Map<string, string>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    options: Partial<SchedulerOptions> = DEFAULT_SCHEDULER_OPTIONS,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.options = { ...DEFAULT_SCHEDULER_OPTIONS, ...options };
    const lease = this.options.lease;
    this.id = (lease && lease.holder) || `scheduler-${randomUUID().slice(0, 8)}`;
    this.heartbeats = new HeartbeatTracker(nc);
    if (lease) {
      this.lease = new LeaderLease(nc, { ...lease, holder: this.id, onChange: (leader) => this.onLeadership(leader), log: (m) => this.say(m) });
    }
    this.committer = new BatchCommitter(log, this.state, () => this.isLeader(), this.traces);
  }

  /** True while this replica plans and commits (always, without a lease). */
  isLeader(): boolean {
    return !this.stopped && (this.lease ? this.lease.isLeader() : true);
  }

  /** Stream sequence of the last commit this replica has folded in. */
  get position(): number {
    return this.state.position;
  }

  async start(): Promise<void> {
    this.heartbeats.start();
    this.logSub = this.log.subscribe({}, (commit) => {
      this.state.apply(commit);
      this.traces.apply(commit);
      this.waiters.release();
      this.kick();
    });
    await this.logSub.caughtUp;
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    if (this.lease) await this.lease.start();
    else this.onLeadership(true);
  }

  /**
   * Stops this replica. `releaseLease: false` imitates a crash: the lease is left to age out, as it
   * would if the process died (a standby then takes over after the lease TTL).
   */
  async stop({ releaseLease = true }: { releaseLease?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.cmdSub?.unsubscribe();
    this.cmdSub = undefined;
    await this.lease?.stop({ release: releaseLease });
    await this.logSub?.stop();
    this.heartbeats.stop();
    this.waiters.close();
  }

  private onLeadership(leader: boolean): void {
    if (leader && !this.stopped) {
      // Only the leader answers commands: a standby is not in the queue group at all.
      this.cmdSub ??= this.nc.subscribe(Subjects.command('scheduler', '*'), { queue: 'scheduler', callback: (_e, msg) => void this.onCommand(msg) });
      this.kick();
    } else {
      this.cmdSub?.unsubscribe();
      this.cmdSub = undefined;
    }
  }

  // ------------------------------------------------------------------ commands

  private async onCommand(msg: { subject: string; data: Uint8Array; headers?: { get(k: string): string }; respond(data: string): boolean; json<T>(): T }) {
    const verb = msg.subject.split('.').pop()!;
    let reply: CommandReply;
    try {
      if (!this.isLeader()) throw new TrainyardError(ErrorCode.Unavailable, 'this scheduler replica is not the leader; retry');
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        throw new TrainyardError(ErrorCode.ValidationFailed, 'the command is not valid JSON');
      }
      const { commandId, jobId, caller, body } = parseCommand(raw, msg.data.length);
      const command = this.toJobCommand(verb, jobId, caller, body);
      if (command.type === 'SubmitJob' && !this.state.jobs.has(jobId)) checkAdmission(this.state, body.spec, caller.permissions);
      const header = msg.headers?.get('traceparent');
      const parent = (body.traceparent as string | undefined) ?? (header && TRACEPARENT.test(header) ? header : undefined);
      const result = await inSpan('trainyard.scheduler', `scheduler ${verb}`, parent, { 'trainyard.job_id': jobId }, (traceparent) =>
        handleCommand({
          log: this.log,
          subject: Subjects.job(jobId),
          initialState: trainingJobDecider.initialState(),
          evolve: trainingJobDecider.evolve,
          decide: (s) => decideOrThrow(trainingJobDecider)(command, s),
          meta: this.meta(commandId, caller.id, traceparent),
        }), SpanKind.SERVER);
      if (result.state.status === 'none') throw new TrainyardError(ErrorCode.NotFound, `no training job ${jobId}`);
      reply = { ok: true, data: { jobId }, seq: result.seq };
    } catch (err) {
      reply = { ok: false, error: errorBody(err) };
    }
    msg.respond(JSON.stringify(reply));
  }

  private toJobCommand(verb: string, jobId: string, caller: { id: string; permissions: string[] }, body: Record<string, unknown>): TrainingJobCommand {
    const metadata = { now: this.clock().toISOString() };
    switch (verb) {
      case 'submit':
        return { type: 'SubmitJob', data: { jobId, spec: body.spec as never, createdBy: caller.id, permissions: caller.permissions }, metadata };
      case 'stop':
        return { type: 'StopJob', data: { by: caller.id, reason: 'user' }, metadata };
      case 'delete':
        return { type: 'DeleteJob', data: { by: caller.id }, metadata };
      case 'priority':
        return { type: 'ChangePriority', data: { to: body.priority as number, by: caller.id, permissions: caller.permissions }, metadata };
      default:
        throw new TrainyardError(ErrorCode.ValidationFailed, `unknown scheduler command ${verb}`);
    }
  }

  // ------------------------------------------------------------------ reconcile loop

  /** One pass at a time, one more if anything changed meanwhile (see CoalescingLoop). */
  private kick(): void {
    this.loop.kick();
  }

  private async pass(): Promise<void> {
    const now = this.clock();
    const o = this.options;
    const isLive = (id: string) => this.heartbeats.status(id, o.heartbeatTimeoutMs).status === 'ready';
    const view = buildClusterView(this.state, isLive, now, { hourMs: o.hourMs }, this.reservations);
    const plan = planGangs(view, { minRunTimeMs: o.minRunMs });
    this.reservations = plan.reservations;
    const actions = jobActions(this.state, plan, now, o);
    const jobs = await this.committer.jobs(actions);
    this.report(jobs);
    await this.caughtUpTo(jobs.last);

    const nodes = await this.committer.nodes(followUpActions(this.state), o.stopGraceMs, now);
    this.report(nodes);
    await this.caughtUpTo(nodes.last);
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

  /** Waits until our own commits came back through the log, so the next pass does not repeat them. */
  private async caughtUpTo(seq: number): Promise<void> {
    if (!(await this.waiters.wait(seq)) && !this.stopped) this.say(`the log has not shown seq ${seq} yet; planning on`);
  }

  private meta(commandId: string, actor: string, traceparent?: string): CommitMeta {
    return { commandId, correlationId: commandId, actor, ...(traceparent ? { traceparent } : {}) };
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[scheduler] ${m}`)))(msg);
  }
}

// The event log's own errors keep their codes (CONFLICT, UNAVAILABLE, STREAM_MISSING).
const errorBody = toErrorBody;
