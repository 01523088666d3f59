import type { NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import {
  ErrorCode, Subjects, TrainyardError, type CommandReply, type CommitMeta,
} from '@trainyard/contracts';
import { nodeDecider, decideOrThrow, trainingJobDecider, type TrainingJobCommand } from '@trainyard/domain';
import { handleCommand, type EventLog, type Subscription } from '@trainyard/event-log';
import { HeartbeatTracker } from '@trainyard/liveness';
import { planGangs } from '@trainyard/scheduling';
import { ClusterState } from './cluster-state';
import { buildClusterView } from './cluster-view.builder';
import { parseCommand } from './command-intake';
import { followUpActions, type AssignAction, type StopAction } from './follow-up-actions';

export interface SchedulerOptions {
  /** A node whose last heartbeat is older than this gets no new work. */
  heartbeatTimeoutMs: number;
  /** Grace period between SIGTERM and SIGKILL when tasks are stopped. */
  stopGraceMs: number;
  /** How often liveness is re-checked even when the log is quiet. */
  tickMs: number;
  log?: (msg: string) => void;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = { heartbeatTimeoutMs: 10_000, stopGraceMs: 10_000, tickMs: 1_000 };

/**
 * The scheduler: answers job commands (`ty.cmd.scheduler.*`), folds the whole event log into its
 * cluster state, and after every change plans the queue (pure `planGangs`) and commits what the plan
 * and the state call for — placements on the job's subject, then assignments and stop requests on
 * the nodes' subjects. All of it is recomputed from state, so a restart picks up where it left off.
 */
export class SchedulerService {
  private readonly state = new ClusterState();
  private readonly heartbeats: HeartbeatTracker;
  private logSub?: Subscription;
  private cmdSub?: NatsSubscription;
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  private readonly seqWaiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: EventLog,
    private readonly options: SchedulerOptions = DEFAULT_SCHEDULER_OPTIONS,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.heartbeats = new HeartbeatTracker(nc);
  }

  async start(): Promise<void> {
    this.heartbeats.start();
    this.logSub = this.log.subscribe({}, (commit) => {
      this.state.apply(commit);
      this.releaseWaiters();
      this.kick();
    });
    await this.logSub.caughtUp;
    this.cmdSub = this.nc.subscribe(Subjects.command('scheduler', '*'), { queue: 'scheduler', callback: (_e, msg) => void this.onCommand(msg) });
    this.timer = setInterval(() => this.kick(), this.options.tickMs);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.cmdSub?.unsubscribe();
    await this.logSub?.stop();
    this.heartbeats.stop();
    for (const w of this.seqWaiters.splice(0)) w.resolve();
  }

  // ------------------------------------------------------------------ commands

  private async onCommand(msg: { subject: string; data: Uint8Array; respond(data: string): boolean; json<T>(): T }) {
    const verb = msg.subject.split('.').pop()!;
    let reply: CommandReply;
    try {
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        throw new TrainyardError(ErrorCode.ValidationFailed, 'the command is not valid JSON');
      }
      const { commandId, jobId, caller, body } = parseCommand(raw);
      const command = this.toJobCommand(verb, jobId, caller, body);
      const result = await handleCommand({
        log: this.log,
        subject: Subjects.job(jobId),
        initialState: trainingJobDecider.initialState(),
        evolve: trainingJobDecider.evolve,
        decide: (s) => decideOrThrow(trainingJobDecider)(command, s),
        meta: this.meta(commandId, caller.id, body.traceparent as string | undefined),
      });
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

  /** Coalesces triggers: one pass at a time, and one more if anything changed meanwhile. */
  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.say(`scheduling pass failed: ${(err as Error).message}`);
      } finally {
        this.running = false;
      }
    })();
  }

  private async pass(): Promise<void> {
    const now = this.clock();
    const view = buildClusterView(this.state, (id) => this.heartbeats.status(id, this.options.heartbeatTimeoutMs).status === 'ready', now);
    const plan = planGangs(view);
    let last = 0;
    for (const p of plan.place) {
      const job = this.state.jobs.get(p.jobId)!.state;
      const attempt = job.status === 'none' ? 1 : job.attempt + 1;
      try {
        const r = await handleCommand({
          log: this.log,
          subject: Subjects.job(p.jobId),
          initialState: trainingJobDecider.initialState(),
          evolve: trainingJobDecider.evolve,
          decide: (s) => decideOrThrow(trainingJobDecider)({ type: 'ScheduleJob', data: { placements: p.placements }, metadata: { now: now.toISOString() } }, s),
          meta: this.meta(`schedule/${p.jobId}/${attempt}`, 'scheduler'),
        });
        last = Math.max(last, r.seq);
      } catch (err) {
        // The job changed under the plan (stopped, say): the next pass plans again from fresh state.
        this.say(`placement of ${p.jobId} not committed: ${(err as Error).message}`);
      }
    }
    await this.caughtUpTo(last);

    for (const action of followUpActions(this.state)) last = Math.max(last, await this.commitFollowUp(action, now));
    await this.caughtUpTo(last);
  }

  private async commitFollowUp(action: AssignAction | StopAction, now: Date): Promise<number> {
    const metadata = { now: now.toISOString() };
    const command =
      action.kind === 'assign'
        ? ({ type: 'AssignTask', data: { assignment: action.assignment }, metadata } as const)
        : ({
            type: 'RequestTaskStop',
            data: { jobId: action.jobId, task: action.task, attempt: action.attempt, graceMs: this.options.stopGraceMs, reason: action.reason },
            metadata,
          } as const);
    try {
      const r = await handleCommand({
        log: this.log,
        subject: Subjects.node(action.nodeId),
        initialState: nodeDecider.initialState(),
        evolve: nodeDecider.evolve,
        decide: (s) => decideOrThrow(nodeDecider)(command as never, s),
        meta: this.meta(action.commandId, 'scheduler'),
      });
      return r.seq;
    } catch (err) {
      this.say(`${action.kind} on ${action.nodeId} failed: ${(err as Error).message}`);
      return 0;
    }
  }

  /** Waits until our own commits came back through the log, so the next pass does not repeat them. */
  private caughtUpTo(seq: number): Promise<void> {
    if (seq <= this.state.position || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.seqWaiters.push({ seq, resolve }));
  }

  private releaseWaiters(): void {
    for (let i = this.seqWaiters.length - 1; i >= 0; i--) {
      if (this.seqWaiters[i].seq <= this.state.position) this.seqWaiters.splice(i, 1)[0].resolve();
    }
  }

  private meta(commandId: string, actor: string, traceparent?: string): CommitMeta {
    return { commandId, correlationId: commandId, actor, ...(traceparent ? { traceparent } : {}) };
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[scheduler] ${m}`)))(msg);
  }
}

function errorBody(err: unknown) {
  if (err instanceof TrainyardError) return err.toBody();
  const code = (err as { code?: string })?.code;
  if (code === ErrorCode.Conflict) return { code: ErrorCode.Conflict, message: (err as Error).message };
  return { code: ErrorCode.Internal, message: (err as Error)?.message ?? 'internal error' };
}

