import type { Msg, NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { ErrorCode, Subjects, toErrorBody, TrainyardError, type CommandReply, type CommitMeta, type JobEvent, type NodeEvent } from '@trainyard/contracts';
import type { Database } from '@trainyard/db';
import {
  CommandRejectedError,
  DEFAULT_HANG_OPTIONS,
  decideOrThrow,
  hangWindowMs,
  nodeDecider,
  nodeLiveness,
  trainingJobDecider,
  type NodeLiveness,
} from '@trainyard/domain';
import { handleCommand, type EventLog, type Subscription } from '@trainyard/event-log';
import { CoalescingLoop, LeaderLease, PositionWaiters } from '@trainyard/replica';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { planFaultActions, type FaultAction } from './fault-actions';
import { DEFAULT_FAULT_MANAGER_OPTIONS, type FaultManagerOptions } from './fault-manager-options';
import { FaultState } from './fault-state';
import { FailureAnalyser } from './failure-analyser';
import { HangWatch } from './hang-watch';
import { toNodeCommand } from './operator-commands';

/** What the fault manager may be given. */
export interface FaultManagerDeps {
  /** The read models: failed tasks' last log lines come from the log store. Without it no analysis. */
  db?: Kysely<Database>;
  /** Wall clock for decisions and event times (tests may pin it). */
  clock?: () => Date;
}

/**
 * The fault manager (ARCHITECTURE decisions 4, 6, 7): every replica folds the whole event log and
 * watches heartbeats, resource samples and log activity; the one holding the `fault-manager` lease
 * decides with the pure policy (libs/domain) and commits through `handleCommand`: node liveness and
 * isolation, recovery decisions, in-place restart requests and stops on node subjects, failure
 * analyses, and operators' cordon/drain/uncordon (`ty.cmd.fault-manager.*`). Everything it does is
 * derived from state with deterministic command ids, so a new leader picks up where the last left off.
 */
export class FaultManager {
  readonly id: string;
  private readonly options: FaultManagerOptions;
  private readonly state: FaultState;
  private readonly hangs: HangWatch;
  private readonly analyser: FailureAnalyser;
  private readonly lease?: LeaderLease;
  private readonly clock: () => Date;
  private readonly lastHeard = new Map<string, number>();
  /** Command ids that need no further try: committed before, refused, or nothing to do. */
  private readonly settled = new Set<string>();
  private readonly waiters = new PositionWaiters(() => this.state.position);
  private readonly loop = new CoalescingLoop(
    () => this.pass(),
    () => !this.stopped && this.isLeader(),
    (err) => this.say(`pass failed: ${err.message}`),
  );
  private startedAt = Date.now();
  private logSub?: Subscription;
  private hbSub?: NatsSubscription;
  private cmdSub?: NatsSubscription;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    options: Partial<FaultManagerOptions> = {},
    deps: FaultManagerDeps = {},
  ) {
    this.options = { ...DEFAULT_FAULT_MANAGER_OPTIONS, ...options };
    this.clock = deps.clock ?? (() => new Date());
    const o = this.options;
    this.id = (o.lease && o.lease.holder) || `fault-manager-${randomUUID().slice(0, 8)}`;
    this.hangs = new HangWatch(nc, { ...DEFAULT_HANG_OPTIONS, minSamples: o.hangMinSamples, windowMs: hangWindowMs(o.hangDetectMinutes, o.hangTimeScale) });
    this.state = new FaultState(o.crossJob, {
      taskStarted: (jobId, task) => this.hangs.reset(jobId, task),
    });
    this.analyser = new FailureAnalyser(deps.db, { waitMs: o.analysisWaitMs, lines: o.analysisLines }, () => this.kick(), (m) => this.say(m));
    if (o.lease) this.lease = new LeaderLease(nc, { ...o.lease, holder: this.id, onChange: (l) => this.onLeadership(l), log: (m) => this.say(m) });
  }

  /** True while this replica decides and commits (always, without a lease). */
  isLeader(): boolean {
    return !this.stopped && (this.lease ? this.lease.isLeader() : true);
  }

  /** Stream sequence of the last commit folded in. */
  get position(): number {
    return this.state.position;
  }

  async start(): Promise<void> {
    this.startedAt = Date.now();
    this.hbSub = this.nc.subscribe(Subjects.heartbeatsAll, {
      callback: (err, msg) => {
        if (err) return;
        // ty.hb.<node>: the subject names the node; the body is not needed for liveness.
        const nodeId = msg.subject.slice('ty.hb.'.length);
        const wasQuiet = this.liveness(nodeId) !== 'alive';
        this.lastHeard.set(nodeId, Date.now());
        if (wasQuiet) this.kick();
      },
    });
    this.hangs.start();
    this.logSub = this.log.subscribe({ onError: (err) => this.say(`log subscription: ${(err as Error).message}`) }, (commit) => {
      this.state.apply(commit);
      const target = Subjects.parseAggregate(commit.subject);
      if (target?.kind === 'job' && !this.state.jobs.has(target.id)) {
        this.hangs.forget(target.id);
        this.analyser.forget(target.id);
      }
      this.waiters.release();
      this.kick();
    });
    await this.logSub.caughtUp;
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    if (this.lease) await this.lease.start();
    else this.onLeadership(true);
  }

  /** Stops this replica; `releaseLease: false` imitates a crash (the lease ages out). */
  async stop({ releaseLease = true }: { releaseLease?: boolean } = {}): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.cmdSub?.unsubscribe();
    this.hbSub?.unsubscribe();
    this.hangs.stop();
    await this.lease?.stop({ release: releaseLease });
    await this.logSub?.stop();
    this.waiters.close();
  }

  /** A node's liveness now; one never heard is counted from this replica's start. */
  liveness(nodeId: string): NodeLiveness {
    return nodeLiveness(this.lastHeard.get(nodeId) ?? this.startedAt, Date.now(), { leaseMs: this.options.leaseMs, graceMs: this.options.lostGraceMs });
  }

  private onLeadership(leader: boolean): void {
    if (leader && !this.stopped) {
      this.cmdSub ??= this.nc.subscribe(Subjects.command('fault-manager', '*'), { queue: 'fault-manager', callback: (_e, msg) => void this.onCommand(msg) });
      this.kick();
    } else {
      this.cmdSub?.unsubscribe();
      this.cmdSub = undefined;
    }
  }

  // ------------------------------------------------------------------ operator commands

  private async onCommand(msg: Msg): Promise<void> {
    const verb = msg.subject.split('.').pop()!;
    let reply: CommandReply;
    try {
      if (!this.isLeader()) throw new TrainyardError(ErrorCode.Unavailable, 'this fault-manager replica is not the leader; retry');
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        throw new TrainyardError(ErrorCode.ValidationFailed, 'the command is not valid JSON');
      }
      const { body, command } = toNodeCommand(verb, raw, this.clock().toISOString(), this.options.drainGraceMs);
      const result = await handleCommand<ReturnType<typeof nodeDecider.initialState>, NodeEvent>({
        log: this.log,
        subject: Subjects.node(body.nodeId),
        initialState: nodeDecider.initialState(),
        evolve: nodeDecider.evolve,
        decide: (s) => decideOrThrow(nodeDecider)(command, s),
        meta: { commandId: body.commandId, correlationId: body.commandId, actor: body.caller.id },
      });
      const s = result.state;
      reply = { ok: true, data: { nodeId: body.nodeId, availability: s.status === 'registered' ? (s.availability ?? 'in-service') : 'unregistered' }, seq: result.seq };
      this.kick();
    } catch (err) {
      reply = { ok: false, error: toErrorBody(err) };
    }
    msg.respond(JSON.stringify(reply));
  }

  // ------------------------------------------------------------------ the loop

  /** One pass at a time, one more if anything changed meanwhile (see CoalescingLoop). */
  private kick(): void {
    this.loop.kick();
  }


  private async pass(): Promise<void> {
    const actions = planFaultActions({
      state: this.state,
      now: this.clock(),
      liveness: (id) => this.liveness(id),
      analysis: (jobId, exit) => this.analyser.status(jobId, exit),
      hang: (jobId, job) => this.hangs.evidence(jobId, job),
      options: this.options,
    });
    for (const r of this.analyser.found()) {
      actions.push({
        kind: 'job',
        jobId: r.jobId,
        commandId: `analysis/${r.jobId}/${r.task}/${r.attempt}/${r.seq}`,
        command: { type: 'RecordFailureAnalysis', data: { task: r.task, attempt: r.attempt, analysis: r.analysis! }, metadata: { now: this.clock().toISOString() } },
      });
    }
    let last = 0;
    for (const a of actions) {
      if (!this.isLeader()) return;
      if (this.settled.has(a.commandId)) continue;
      last = Math.max(last, await this.commit(a));
    }
    await this.caughtUpTo(last);
  }

  /** Commits one action; returns its sequence (0 when nothing was appended). */
  private async commit(a: FaultAction): Promise<number> {
    const meta: CommitMeta = { commandId: a.commandId, correlationId: a.commandId, actor: 'fault-manager' };
    try {
      const r =
        a.kind === 'job'
          ? await handleCommand<ReturnType<typeof trainingJobDecider.initialState>, JobEvent>({
              log: this.log, subject: Subjects.job(a.jobId), meta,
              initialState: trainingJobDecider.initialState(), evolve: trainingJobDecider.evolve,
              decide: (s) => decideOrThrow(trainingJobDecider)(a.command, s),
            })
          : await handleCommand<ReturnType<typeof nodeDecider.initialState>, NodeEvent>({
              log: this.log, subject: Subjects.node(a.nodeId), meta,
              initialState: nodeDecider.initialState(), evolve: nodeDecider.evolve,
              decide: (s) => decideOrThrow(nodeDecider)(a.command, s),
            });
      if (r.duplicate || r.events.length === 0) {
        this.settled.add(a.commandId);
        return 0;
      }
      this.say(`${a.commandId}: ${r.events.map((e) => e.type).join(', ')}`);
      return r.seq;
    } catch (err) {
      if (err instanceof CommandRejectedError) {
        // The same state gives the same answer: do not ask again until something changes the id.
        this.settled.add(a.commandId);
        this.say(`${a.commandId}: refused (${err.reason}): ${err.message}`);
      } else {
        this.say(`${a.commandId}: not committed: ${(err as Error).message}`);
      }
      return 0;
    }
  }

  /** Waits until our own commits came back through the log, so the next pass does not repeat them. */
  private async caughtUpTo(seq: number): Promise<void> {
    if (!(await this.waiters.wait(seq)) && !this.stopped) this.say(`the log has not shown seq ${seq} yet; deciding on`);
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[fault-manager] ${m}`)))(msg);
  }
}
