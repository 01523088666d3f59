import type { NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { Subjects, type CommitMeta, type JobEvent, type NodeEvent, type StoredCommit } from '@trainyard/contracts';
import type { Database } from '@trainyard/db';
import {
  DEFAULT_HANG_OPTIONS,
  hangWindowMs,
  nodeDecider,
  nodeLiveness,
  trainingJobDecider,
  type NodeLiveness,
} from '@trainyard/domain';
import { handleCommand, type EventLog } from '@trainyard/event-log';
import type { ReplicaControl, ReplicaPolicy } from '@trainyard/replica';
import type { Kysely } from 'kysely';
import { batchCommandId, commitWaves, inParallel, type CommitBatch } from './commit-waves';
import { decideInOrder } from './decide-in-order';
import { planFaultActions, type FaultAction } from './fault-actions';
import { DEFAULT_FAULT_MANAGER_OPTIONS, type FaultManagerOptions } from './fault-manager-options';
import { FaultState } from './fault-state';
import { FailureAnalyser } from './failure-analyser';
import { HangWatch } from './hang-watch';

/** Aggregates a pass commits to at once (each one read and one append). */
const COMMITS_IN_FLIGHT = 16;

/** What the fault manager may be given. */
export interface FaultManagerDeps {
  /** The read models: failed tasks' last log lines come from the log store. Without it no analysis. */
  db?: Kysely<Database>;
  /** Wall clock for decisions and event times (tests may pin it). */
  clock?: () => Date;
}

/**
 * The fault-manager policy (ARCHITECTURE decisions 4, 6, 7), plugged into a `ReplicaShell`: every
 * replica folds the whole event log and watches heartbeats, resource samples and log activity; the
 * one holding the `fault-manager` lease decides with the pure policy (libs/domain) and commits
 * through `handleCommand`: node liveness and isolation, recovery decisions, in-place restart requests
 * and stops on node subjects, and failure analyses. Operators' cordon/drain/uncordon are
 * `FaultManagerCommands`. Everything it does is derived from state with deterministic command ids,
 * so a new leader picks up where the last left off.
 */
export class FaultManager implements ReplicaPolicy {
  readonly options: FaultManagerOptions;
  private readonly state: FaultState;
  private readonly hangs: HangWatch;
  private readonly analyser: FailureAnalyser;
  readonly clock: () => Date;
  private readonly lastHeard = new Map<string, number>();
  /** Command ids that need no further try: committed before, refused, or nothing to do. */
  private readonly settled = new Set<string>();
  private startedAt = Date.now();
  private hbSub?: NatsSubscription;
  private replica?: ReplicaControl;

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    options: Partial<FaultManagerOptions> = {},
    deps: FaultManagerDeps = {},
  ) {
    this.options = { ...DEFAULT_FAULT_MANAGER_OPTIONS, ...options };
    this.clock = deps.clock ?? (() => new Date());
    const o = this.options;
    this.hangs = new HangWatch(nc, { ...DEFAULT_HANG_OPTIONS, minSamples: o.hangMinSamples, windowMs: hangWindowMs(o.hangDetectMinutes, o.hangTimeScale) }, Date.now, o.hangTimeScale);
    this.state = new FaultState(o.crossJob, {
      taskStarted: (jobId, task) => this.hangs.reset(jobId, task),
    });
    this.analyser = new FailureAnalyser(deps.db, { waitMs: o.analysisWaitMs, lines: o.analysisLines }, () => this.kick(), (m) => this.say(m));
  }

  start(replica: ReplicaControl): void {
    this.replica = replica;
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
  }

  apply(commit: StoredCommit): void {
    this.state.apply(commit);
    const target = Subjects.parseAggregate(commit.subject);
    if (target?.kind === 'job' && !this.state.jobs.has(target.id)) {
      this.hangs.forget(target.id);
      this.analyser.forget(target.id);
    }
  }

  stop(): void {
    this.hbSub?.unsubscribe();
    this.hangs.stop();
  }

  /** A node's liveness now; one never heard is counted from this replica's start. */
  liveness(nodeId: string): NodeLiveness {
    return nodeLiveness(this.lastHeard.get(nodeId) ?? this.startedAt, Date.now(), { leaseMs: this.options.leaseMs, graceMs: this.options.lostGraceMs });
  }

  // ------------------------------------------------------------------ the loop

  /** Asks the shell for a pass (one at a time, one more if anything changed meanwhile). */
  private kick(): void {
    this.replica?.kick();
  }

  async pass(replica: ReplicaControl): Promise<void> {
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
    for (const wave of commitWaves(actions.filter((a) => !this.settled.has(a.commandId)))) {
      if (!replica.isLeader()) return;
      const seqs = await inParallel(wave, COMMITS_IN_FLIGHT, (batch) => (replica.isLeader() ? this.commit(batch) : Promise.resolve(0)));
      last = Math.max(last, ...seqs);
    }
    // Our own commits must come back through the log first, so the next pass does not repeat them.
    await replica.caughtUpTo(last);
  }

  /** Commits one aggregate's actions of a wave in one append; returns its sequence (0 when nothing was appended). */
  private async commit(batch: CommitBatch): Promise<number> {
    const commandId = batchCommandId(batch);
    const meta: CommitMeta = { commandId, correlationId: commandId, actor: 'fault-manager' };
    const refused: { action: FaultAction; reason: string; message: string }[] = [];
    try {
      const r =
        batch.kind === 'job'
          ? await handleCommand<ReturnType<typeof trainingJobDecider.initialState>, JobEvent>({
              log: this.log, subject: Subjects.job(batch.id), meta,
              initialState: trainingJobDecider.initialState(), evolve: trainingJobDecider.evolve,
              decide: (s) => decideInOrder(trainingJobDecider, batch.actions, (a) => (a.kind === 'job' ? a.command : undefined), s, refused),
            })
          : await handleCommand<ReturnType<typeof nodeDecider.initialState>, NodeEvent>({
              log: this.log, subject: Subjects.node(batch.id), meta,
              initialState: nodeDecider.initialState(), evolve: nodeDecider.evolve,
              decide: (s) => decideInOrder(nodeDecider, batch.actions, (a) => (a.kind === 'node' ? a.command : undefined), s, refused),
            });
      // The same state gives the same answer: do not ask again until something changes the id.
      for (const x of refused) {
        this.settled.add(x.action.commandId);
        this.say(`${x.action.commandId}: refused (${x.reason}): ${x.message}`);
      }
      if (!r.ok) {
        this.settled.add(commandId);
        this.say(`${commandId}: refused (${r.rejection.reason}): ${r.rejection.message}`);
        return 0;
      }
      if (r.duplicate || r.events.length === 0) {
        for (const a of batch.actions) this.settled.add(a.commandId);
        return 0;
      }
      this.say(`${commandId}: ${r.events.map((e) => e.type).join(', ')}`);
      return r.seq;
    } catch (err) {
      this.say(`${commandId}: not committed: ${(err as Error).message}`);
      return 0;
    }
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[fault-manager] ${m}`)))(msg);
  }
}
