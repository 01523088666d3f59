import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CommitMeta,
  type JobEvent,
  NODE_EVENT_TYPES,
  type NodeEvent,
  type NodeEventData,
  type StoredCommit,
  Subjects,
  type TaskAssignment,
  type TaskExitReason,
} from '@trainyard/contracts';
import { fold, trainingJobDecider } from '@trainyard/domain';
import { connectNats, ensureStreams, type EventLog, JetStreamEventLog, type Subscription } from '@trainyard/event-log';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pino from 'pino';
import type { AgentConfig } from './agent-config';
import { prepareTaskDirs } from './code-dir';
import { containerRuntime } from './container-runtime';
import { prepareContainerTask } from './container-task';
import { planLaunch, writeLaunchFiles } from './launchers';
import { type RunningTask, startHeartbeats } from './heartbeat';
import { killLeftover, type LaunchRecord, LaunchRecords, processStartTicks } from './launch-record';
import { launchVerdict } from './launch-verdict';
import { jetStreamLogPublish, LogShipper } from './log-shipper';
import { LogSpool } from './log-spool';
import { readAcceleratorUsage } from './accelerator-usage';
import { startResourceSampler, type SampledTask } from './resource-sampler';
import { inSpan, logShipperMetrics } from '@trainyard/telemetry';
import { precheckTask, type TaskPrecheck } from './preflight/task-precheck';
import { adoptionRuntime, identityOf, storedLines } from './re-adoption';
import { supervisedProcessRuntime } from './supervised-process-runtime';
import { buildTaskEnvironment } from './task-environment';
import { taskPaths, workingDirOf } from './task-paths';
import {
  type AgentAction,
  applyNodeEvent,
  type Desired,
  exitReason,
  type LocalTask,
  orderStop,
  reconcile,
  type TaskRef,
  taskKey,
} from './task-reconciler';
import { eventLogReporter, type ReportOutcome, type TaskReporter } from './task-reporter';
import { restartVerdict, stopForRestart } from './task-restart';
import { LaunchError, type LineSink, type TaskExit, type TaskHandle, type TaskRuntime } from './task-runtime';

/** Structured logging, pino-shaped (decision 11). */
export interface AgentLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the agent may be given instead of building it; all optional. */
export interface NodeAgentDeps {
  /** A connection to share; the agent then leaves it open on `stop()`. Default: its own, from `config.natsServers`. */
  nc?: NatsConnection;
  eventLog?: EventLog;
  reporter?: TaskReporter;
  /**
   * Default: the supervised process runtime (tasks outlive the agent and are re-adopted) and the
   * container runtime on `config.container.socketPath`. An assignment naming a missing one fails to launch.
   */
  runtimes?: Partial<Record<TaskAssignment['runtime'], TaskRuntime>>;
  now?: () => Date;
  logger?: AgentLogger;
  /** Delay before a node commit whose handling failed is delivered again. Default 1000 ms. */
  retryDelayMs?: number;
  /** After its tasks have ended, how long `stop()` keeps trying to store their logs and exits. Default 10 s. */
  shutdownReportMs?: number;
  /** Resource sample interval (`ty.metrics.<node>`). Default `TY_METRICS_SAMPLE_MS` or 10 s. */
  resourceSampleMs?: number;
}

export interface NodeAgentHandle {
  readonly nodeId: string;
  /** Attempts with a live process on this node. */
  running(): RunningTask[];
  /**
   * Stops taking work, stops every task (SIGTERM, SIGKILL after `stopGraceMs`; reported `lost` unless
   * the control plane had asked for the stop), stores their last lines and exits, and closes the
   * connection it opened. Idempotent.
   */
  stop(): Promise<void>;
}

/**
 * Starts one node agent (decision 5): registers the node, publishes heartbeats, consumes the node's
 * subject with the durable consumer `agent-<nodeId>`, launches what is assigned, stops what is asked
 * to stop, ships output to TY_LOGS and reports each start and exit to the job. Several agents may run
 * in one process, each with its own config.
 *
 * @example
 * const agent = await startNodeAgent(loadAgentConfig(process.env));
 * process.once('SIGTERM', () => agent.stop());
 */
export async function startNodeAgent(config: AgentConfig, deps: NodeAgentDeps = {}): Promise<NodeAgentHandle> {
  const agent = new NodeAgent(config, deps);
  await agent.start();
  return agent;
}

/** The I/O that belongs to one launched (or launching) attempt. */
interface TaskSlot {
  ref: TaskRef;
  assignment: TaskAssignment;
  shipper: LogShipper;
  handle?: TaskHandle;
  /**
   * Resolves once the job has the start (or refused it): the exit waits for it, so TaskStarted is on
   * the job before TaskExited even when the process ends at once.
   */
  started: Promise<void>;
  markStarted: () => void;
  /** Trace context of the launch span: the start report continues it (decision 11). */
  traceparent?: string;
  /** Settles once the exit is reported (or given up on). */
  done?: Promise<void>;
  /** A restart in place replaced this process: its exit is not reported. */
  replaced?: boolean;
}

const NODE_EVENTS = new Set<string>(NODE_EVENT_TYPES);

class NodeAgent implements NodeAgentHandle {
  readonly nodeId: string;
  private desired: Desired = new Map();
  private readonly local = new Map<string, LocalTask>();
  private readonly slots = new Map<string, TaskSlot>();
  /** Lines each ended attempt logged: a restart in place continues the numbering. */
  private readonly loggedLines = new Map<string, number>();
  private readonly records: LaunchRecords;
  private readonly now: () => Date;
  private readonly logger: AgentLogger;
  private nc!: NatsConnection;
  private log!: EventLog;
  private reporter!: TaskReporter;
  private runtimes!: Partial<Record<TaskAssignment['runtime'], TaskRuntime>>;
  private sub?: Subscription;
  private heartbeat?: { stop(): void };
  private sampler?: { stop(): void };
  /** Disk buffer of log batches NATS could not take (`TY_LOG_SPOOL_MAX_BYTES`, default 1 GiB). */
  private readonly spool: LogSpool;
  private readonly logMetrics = logShipperMetrics();
  /** The agent is shutting down: tasks that end now are `lost`, not `exited`. */
  private stopping = false;
  /** Shutdown ran out of time: stop retrying reports. */
  private givenUp = false;
  private stopped?: Promise<void>;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: NodeAgentDeps,
  ) {
    this.nodeId = config.nodeId;
    this.records = new LaunchRecords(config.workDir);
    this.spool = new LogSpool({ dir: `${config.workDir}/log-spool`, maxBytes: Number(process.env.TY_LOG_SPOOL_MAX_BYTES ?? 2 ** 30) });
    this.now = deps.now ?? (() => new Date());
    this.logger = deps.logger ?? pino({ name: 'node-agent', level: process.env.TY_LOG_LEVEL ?? 'info' }).child({ nodeId: config.nodeId });
  }

  async start(): Promise<void> {
    this.nc = this.deps.nc ?? (await connectNats(this.config.natsServers.join(','), `trainyard-agent-${this.nodeId}`));
    try {
      await ensureStreams(this.nc);
      this.log = this.deps.eventLog ?? new JetStreamEventLog(this.nc);
      this.reporter = this.deps.reporter ?? eventLogReporter(this.log, this.nodeId, this.now);
      this.runtimes = this.deps.runtimes ?? {
        process: supervisedProcessRuntime({ stateDir: join(this.config.workDir, 'launches') }),
        container: containerRuntime(this.config.container),
      };
      await mkdir(this.config.workDir, { recursive: true });
      await this.register();
      // Log batches an earlier run left in the spool (NATS was away when it died) go out first, and
      // before re-adoption: a re-adopted task numbers on after what TY_LOGS holds, spooled lines included.
      const publish = jetStreamLogPublish(jetstream(this.nc));
      await this.spool.drainLeftovers((b) => publish(b.subject, b.body, b.msgId)).catch((err) => this.logger.warn({ err }, 'spooled log batches not sent'));
      await this.settleEarlierRun();
      this.heartbeat = startHeartbeats(this.nc, this.nodeId, this.config.heartbeatMs, () => this.running(), this.now);
      const sampleMs = this.deps.resourceSampleMs ?? Number(process.env.TY_METRICS_SAMPLE_MS ?? 10_000);
      // Only a node that declared cards runs the vendor tools each tick; a slow tool gets at most one interval.
      const { gpu, npu } = this.config.capacity;
      const toolMs = Math.max(1000, Math.min(sampleMs, this.config.preflight.itemTimeoutMs));
      const accelerators = gpu > 0 || npu > 0 ? () => readAcceleratorUsage(this.config.preflight.toolPath, toolMs) : undefined;
      this.sampler = startResourceSampler(this.nc, this.nodeId, sampleMs, () => this.sampledTasks(), this.now, accelerators ? { accelerators } : {});
      this.sub = this.log.consume(`agent-${this.nodeId}`, Subjects.node(this.nodeId), (c) => this.onCommit(c), {
        retryDelayMs: this.deps.retryDelayMs ?? 1000,
        onError: (err, at) => this.logger.warn({ err, subject: at.subject, seq: at.seq }, 'node commit not handled; it will come again'),
      });
      this.logger.info({ host: this.config.host, pool: this.config.pool, capacity: this.config.capacity }, 'node agent ready');
    } catch (err) {
      if (!this.deps.nc) await this.nc.close().catch(() => undefined);
      throw err;
    }
  }

  /** Running attempts with their process group and request, for the resource sampler. */
  private sampledTasks(): SampledTask[] {
    this.logMetrics.spoolBytes.set({ node_id: this.nodeId }, this.spool.bytes);
    return [...this.slots.values()].flatMap((s) =>
      s.handle && this.local.get(taskKey(s.ref))?.phase === 'running'
        ? [{
            ...s.ref,
            pid: s.handle.pid,
            cpu: s.assignment.flavor.cpu,
            memoryMiB: s.assignment.flavor.memoryMiB,
            gpu: s.assignment.flavor.gpu,
            npu: s.assignment.flavor.npu,
            ...(s.handle.resourceCounters ? { counters: s.handle.resourceCounters.bind(s.handle) } : {}),
          }]
        : [],
    );
  }

  running(): RunningTask[] {
    const out: RunningTask[] = [];
    for (const [key, l] of this.local) {
      const slot = this.slots.get(key);
      if ((l.phase === 'running' || l.phase === 'stopping') && slot) {
        out.push({ ...slot.ref, ...(slot.handle ? { pid: slot.handle.pid } : {}), phase: l.phase });
      }
    }
    return out;
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  // ------------------------------------------------------------ start-up

  private async register(): Promise<void> {
    const { nodeId, host, pool, capacity, labels } = this.config;
    const commandId = `register/${nodeId}/${randomUUID()}`;
    const outcome = await this.retry('register node', () => this.reporter.registerNode({ nodeId, host, pool, capacity, labels }, commandId));
    if (!outcome) throw new Error(`node ${nodeId} could not register: the agent is stopping`);
    if (!outcome.ok) throw new Error(`node ${nodeId} registration refused: ${outcome.message}`);
  }

  /**
   * Attempts an earlier run of this agent launched are never launched again. Those whose exit was
   * never reported are re-adopted through their runtime (re-adoption.ts); what no runtime can find
   * is killed if left and reported lost, so the job can recover.
   */
  private async settleEarlierRun(): Promise<void> {
    for (const record of await this.records.list()) {
      const key = taskKey(record);
      this.local.set(key, { phase: 'exited', startReported: true });
      if (record.exitReported) continue;
      if (await this.adopt(key, record)) continue;
      const killed = await killLeftover(record);
      const error = 'the node agent restarted while the task ran; its process was not adopted';
      this.logger.warn({ task: key, killed }, error);
      const outcome = await this.reportExit(record, undefined, { exitCode: null, signal: killed ? 'SIGKILL' : null }, 'lost', error);
      if (outcome) await this.records.update(record, { exitReported: true });
    }
  }

  /** Follows a task of an earlier run: its output replayed from the first line, its exit reported. */
  private async adopt(key: string, record: LaunchRecord): Promise<boolean> {
    const runtime = adoptionRuntime(record, this.runtimes);
    if (!runtime) return false;
    const a = record.assignment!;
    // The replay numbers lines as the first run did: those already in TY_LOGS are skipped. A process
    // restarted in place numbers on from `firstSeq` (the pre-check's lines belong to the first one).
    const stored = await storedLines(this.nc, record);
    const base = record.firstSeq ?? 1;
    const slot = this.slotFor(key, a, Math.max(stored, base - 1) + 1);
    let seq = base - 1;
    const sink: LineSink = (stream, text) => (++seq > stored ? slot.shipper.push(stream, text) : undefined);
    if (record.firstSeq === undefined) for (const l of record.prelude ?? []) void sink(l.stream, l.text);
    const handle = await runtime.adopt!(identityOf(this.nodeId, record), sink).catch((err: Error) => {
      this.logger.warn({ task: key, err }, 'could not look for the task of an earlier run');
      return undefined;
    });
    if (!handle) {
      slot.shipper.abandon();
      this.slots.delete(key);
      return false;
    }
    slot.handle = handle;
    // What the commit said, so a stop still reaches the task and the reports keep their correlation.
    this.desired = new Map(this.desired).set(key, { assignment: a, ...(record.cause ? { cause: record.cause } : {}), ...(record.stop ? { stop: record.stop } : {}) });
    this.local.set(key, { phase: record.stop ? 'stopping' : 'running', startReported: record.startReported ?? false });
    // Not reported yet: the assignment's commit was not acked either, comes again and reports it.
    if (record.startReported) slot.markStarted();
    if (record.stop) void handle.stop(record.stop.graceMs);
    slot.done = handle.exited.then((exit) => this.onExit(key, exit));
    this.logger.info({ task: key, pid: handle.pid, storedLines: stored }, 'task of an earlier run re-adopted');
    return true;
  }

  // ------------------------------------------------------------ node commits

  /** Acked when this resolves: every action the commit called for has been carried out. */
  private async onCommit(commit: StoredCommit): Promise<void> {
    for (const e of commit.events) {
      if (!NODE_EVENTS.has(e.type)) continue;
      const event = e as NodeEvent;
      this.desired = applyNodeEvent(this.desired, event, commit.meta);
      if (event.type === 'TaskAssigned' || event.type === 'TaskStopRequested') await this.converge(taskKey(event.data));
      if (event.type === 'TaskRestartRequested') await this.restartInPlace(event.data);
    }
  }

  /** Performs the reconciler's next action until there is none; each action changes `local`, so this ends. */
  private async converge(key: string): Promise<void> {
    for (let i = 0; i < 8; i++) {
      const [action] = reconcile(this.desired, this.local, [key]);
      if (!action) return;
      await this.perform(action);
    }
    throw new Error(`reconciling ${key} did not settle`);
  }

  private async perform(action: AgentAction): Promise<void> {
    switch (action.kind) {
      case 'launch':
        return this.launch(action.key, action.assignment);
      case 'report-started':
        return this.reportStarted(action.key);
      case 'stop':
        return this.stopTask(action.key, action.graceMs, action.reason);
      case 'skip':
        return this.finishUnlaunched(action.key, action.assignment, 'stopped', `stopped before it was launched (${action.reason})`);
      default: {
        const _exhaustive: never = action;
        return _exhaustive;
      }
    }
  }

  // ------------------------------------------------------------ actions

  private async launch(key: string, a: TaskAssignment): Promise<void> {
    const history = await this.log.read(Subjects.job(a.jobId));
    const job = fold(trainingJobDecider, history.commits.flatMap((c) => c.events) as JobEvent[]);
    const verdict = launchVerdict(job, a, this.nodeId);
    if (verdict === 'skip') {
      this.logger.info({ task: key }, 'assignment is over or superseded; not launching');
      this.local.set(key, { phase: 'exited', startReported: true });
      return;
    }
    if (verdict === 'stop') return this.finishUnlaunched(key, a, 'stopped', 'the job is ending; the task was not launched');
    if (verdict === 'orphaned') return this.finishUnlaunched(key, a, 'lost', 'the job says this task runs here, but this agent did not start it');

    const ref: TaskRef = { jobId: a.jobId, task: a.task, attempt: a.attempt };
    if (await this.records.read(ref)) {
      this.logger.info({ task: key }, 'already launched by this node; not launching again');
      this.local.set(key, { phase: 'exited', startReported: true });
      return;
    }
    // Recorded before the process exists: a crash from here on never leads to a second launch.
    const cause = this.desired.get(key)?.cause;
    await this.records.write({ ...ref, launchedAt: this.now().toISOString(), runtime: a.runtime ?? 'process', assignment: a, ...(cause ? { cause } : {}) });
    // A task moved here by a pod reschedule keeps its attempt: its lines go on after the old node's.
    const slot = this.slotFor(key, a, a.scheduleCount > 1 ? (await storedLines(this.nc, ref)) + 1 : undefined);
    const check = await this.precheck(key, a, slot);
    if (check?.failure) {
      this.local.set(key, { phase: 'exited', startReported: true });
      if (!(await this.finishExit(key, { exitCode: null, signal: null }, 'precheck-failed', check.failure))) throw new Error(`exit of ${key} not reported`);
      return;
    }
    let handle: TaskHandle;
    try {
      const attrs = { 'trainyard.job_id': a.jobId, 'trainyard.task': a.task, 'trainyard.node_id': this.nodeId };
      handle = await inSpan('trainyard.node-agent', 'launch task', this.desired.get(key)?.cause?.traceparent, attrs, (tp) => {
        slot.traceparent = tp;
        return this.spawn(a, slot);
      });
    } catch (err) {
      const message = (err as Error).message;
      this.logger.warn({ task: key, err }, 'launch failed');
      slot.shipper.push('stderr', `[trainyard] launch failed: ${message}`);
      this.local.set(key, { phase: 'exited', startReported: true });
      if (!(await this.finishExit(key, { exitCode: null, signal: null }, 'launch-failed', message))) {
        throw new Error(`exit of ${key} not reported`);
      }
      return;
    }
    slot.handle = handle;
    this.local.set(key, { phase: 'running', startReported: false });
    this.logger.info({ task: key, pid: handle.pid }, 'task launched');
    slot.done = handle.exited.then((exit) => this.onExit(key, exit));
    await this.records.update(ref, { pid: handle.pid, pidStart: await processStartTicks(handle.pid) });
  }

  /**
   * The fault manager's in-place restart (task-restart.ts): stop what is left of the attempt (stack
   * dump first when asked), then launch it again on this node with the new `MA_PROC_START_CNT`.
   */
  private async restartInPlace(r: NodeEventData['TaskRestartRequested']): Promise<void> {
    const key = taskKey(r);
    const d = this.desired.get(key);
    const verdict = restartVerdict(d, this.local.get(key), r);
    this.logger.info({ task: key, procStartCount: r.procStartCount, verdict }, 'restart in place requested');
    if (verdict !== 'restart' && verdict !== 'pending') return;
    const assignment = { ...d!.assignment, procStartCount: r.procStartCount, ...(r.hosts ? { hosts: r.hosts } : {}) };
    this.desired = new Map(this.desired).set(key, { ...d!, assignment });
    if (verdict === 'pending') return this.converge(key);
    const old = this.slots.get(key);
    if (old?.handle && this.local.get(key)?.phase !== 'exited') {
      old.replaced = true;
      await stopForRestart(old.handle, r, (line) => void old.shipper.push('stderr', line));
      await old.shipper.flush().catch(() => undefined);
      // The runtime's leftovers (a supervisor's run dir, a container) go before the same attempt runs again.
      await old.handle.release?.().catch((err: Error) => this.logger.warn({ task: key, err }, 'task leftovers not removed'));
    }
    // An exit that is being reported finishes first (its slot goes away with it).
    await old?.done;
    const firstSeq = (old?.replaced ? old.shipper.lineCount : (this.loggedLines.get(key) ?? 0)) + 1;
    const slot = this.slotFor(key, assignment, firstSeq);
    try {
      slot.handle = await this.spawn(assignment, slot);
    } catch (err) {
      this.logger.warn({ task: key, err }, 'restart in place failed to launch');
      slot.shipper.push('stderr', `[trainyard] launch failed: ${(err as Error).message}`);
      this.local.set(key, { phase: 'exited', startReported: true });
      if (!(await this.finishExit(key, { exitCode: null, signal: null }, 'launch-failed', (err as Error).message))) throw new Error(`exit of ${key} not reported`);
      return;
    }
    const handle = slot.handle;
    this.local.set(key, { phase: 'running', startReported: false });
    slot.done = handle.exited.then((exit) => this.onExit(key, exit));
    // A re-adopting agent follows this process: its assignment, its first line number, its start to report.
    await this.records.update(slot.ref, { pid: handle.pid, pidStart: await processStartTicks(handle.pid), exitReported: false, assignment, firstSeq, startReported: false });
    await this.converge(key);
  }

  /**
   * The pre-check (preflight/), before the script starts: its lines open the task's log (and are kept
   * in the launch record, for a re-adopting agent), its result goes to the job as W01, or W02/W03.
   */
  private async precheck(key: string, a: TaskAssignment, slot: TaskSlot): Promise<TaskPrecheck | undefined> {
    const { capacity, workDir, cacheDir, preflight } = this.config;
    const check = await precheckTask({ assignment: a, capacity, rootDir: workDir, cacheDir, settings: preflight });
    if (!check) return undefined;
    if (check.lines.length) await this.records.update(slot.ref, { prelude: check.lines });
    for (const l of check.lines) void slot.shipper.push(l.stream, l.text);
    const { elapsedSeconds, items } = check.report;
    const data = { task: a.task, attempt: a.attempt, nodeId: this.nodeId, elapsedSeconds, items };
    const outcome = await this.retry(`report pre-check of ${key}`, () => this.reporter.taskPrecheck(a.jobId, data, this.desired.get(key)?.cause));
    if (!outcome) throw new Error(`pre-check of ${key} not reported: the agent is stopping`);
    if (check.failure) this.logger.warn({ task: key, elapsedSeconds, hardware: check.report.hardware }, check.failure);
    else this.logger.info({ task: key, elapsedSeconds }, 'pre-check passed');
    return check;
  }

  private async spawn(a: TaskAssignment, slot: TaskSlot): Promise<TaskHandle> {
    const runtime = this.runtimes[a.runtime ?? 'process'];
    if (!runtime) throw new LaunchError(`runtime '${a.runtime}' is not available on node ${this.nodeId}`);
    if (a.runtime === 'container') {
      const { host, workDir, cacheDir } = this.config;
      const spec = await prepareContainerTask(a, { nodeId: this.nodeId, host, workDir, cacheDir });
      return runtime.launch(spec, (stream, text) => slot.shipper.push(stream, text));
    }
    const paths = taskPaths(this.config.workDir, a);
    const inherited = Object.fromEntries(
      this.config.inheritEnv.flatMap((name) => (process.env[name] !== undefined ? [[name, process.env[name]!]] : [])),
    );
    const env = { ...inherited, ...buildTaskEnvironment(a, { host: this.config.host, paths }) };
    // Planned before anything is written: an algorithm that cannot start leaves nothing behind.
    const plan = planLaunch({ assignment: a, host: this.config.host, paths, env });
    // Another user only when the agent can become one; otherwise the task runs as the agent does.
    const uid = a.algorithm.userId !== undefined && process.getuid?.() === 0 ? a.algorithm.userId : undefined;
    await prepareTaskDirs(paths, a.algorithm.codeDir, uid);
    await writeLaunchFiles(plan.files, uid);
    const spec = { command: plan.command, cwd: workingDirOf(a.algorithm, paths), env: { ...env, ...plan.env }, uid, gid: uid, identity: identityOf(this.nodeId, a) };
    return runtime.launch(spec, (stream, text) =>
      slot.shipper.push(stream, text),
    );
  }

  private async reportStarted(key: string): Promise<void> {
    const d = this.desired.get(key)!;
    const slot = this.slots.get(key)!;
    const a = d.assignment;
    const outcome = await this.retry(
      `report start of ${key}`,
      () =>
        inSpan('trainyard.node-agent', 'task started', slot.traceparent ?? d.cause?.traceparent, { 'trainyard.task': a.task }, (tp) =>
          this.reporter.taskStarted(
            a.jobId,
            { task: a.task, attempt: a.attempt, nodeId: this.nodeId, pid: slot.handle?.pid, procStartCount: a.procStartCount },
            d.cause && tp ? { ...d.cause, traceparent: tp } : d.cause,
          ),
        ),
      // An infrastructure failure then throws from here: the commit is redelivered and the report retried.
      3,
    );
    if (!outcome) throw new Error(`start of ${key} not reported: the agent is stopping`);
    const l = this.local.get(key)!;
    this.local.set(key, { ...l, startReported: true });
    await this.records.update(slot.ref, { startReported: true });
    slot.markStarted();
    if (!outcome.ok) {
      this.logger.warn({ task: key, reason: outcome.reason, message: outcome.message }, 'the job refused the start; stopping the task');
      this.desired = orderStop(this.desired, key, { graceMs: this.config.stopGraceMs, reason: `start refused: ${outcome.reason}` });
    }
  }

  /** Sends the stop and returns: the exit is reported when the process is gone. */
  private async stopTask(key: string, graceMs: number, reason: string): Promise<void> {
    const l = this.local.get(key)!;
    this.local.set(key, { ...l, phase: 'stopping' });
    this.logger.info({ task: key, graceMs, reason }, 'stopping task');
    const slot = this.slots.get(key);
    // A restarted agent signals it again (the kill timer dies with this run).
    if (slot) await this.records.update(slot.ref, { stop: { graceMs, reason } });
    void slot?.handle?.stop(graceMs);
  }

  // ------------------------------------------------------------ exits

  private async onExit(key: string, exit: TaskExit): Promise<void> {
    const slot = this.slots.get(key)!;
    if (slot.replaced) return;
    // The phase stays live until the start is reported, so a redelivered assignment still reports it.
    await slot.started;
    this.local.set(key, { ...this.local.get(key)!, phase: 'exited' });
    const reason = exitReason(this.desired.get(key), this.stopping);
    this.logger.info({ task: key, ...exit, reason }, 'task exited');
    await this.finishExit(key, exit, reason, reason === 'lost' ? 'the node agent stopped' : undefined);
  }

  /** An attempt that never got a process (stopped before launch, or not ours to run). */
  private async finishUnlaunched(key: string, a: TaskAssignment, reason: TaskExitReason, error: string): Promise<void> {
    this.local.set(key, { phase: 'exited', startReported: true });
    this.logger.info({ task: key, reason }, error);
    const outcome = await this.reportExit(a, this.desired.get(key)?.cause, { exitCode: null, signal: null }, reason, error);
    if (!outcome) throw new Error(`exit of ${key} not reported`);
  }

  /**
   * Stores the attempt's last lines, then reports its exit: a reader who sees TaskExited finds every
   * line in TY_LOGS. Returns whether the report was stored (or refused, which is final).
   */
  private async finishExit(key: string, exit: TaskExit, reason: TaskExitReason, error?: string): Promise<boolean> {
    const slot = this.slots.get(key)!;
    try {
      await slot.shipper.close(); // eof: a live follow ends right after the last line
    } catch (err) {
      this.logger.warn({ task: key, err }, 'last log lines not stored');
    }
    const outcome = await this.reportExit(slot.assignment, this.desired.get(key)?.cause, exit, reason, error);
    if (outcome) await this.records.update(slot.ref, { exitReported: true });
    // The runtime kept the container (or the supervisor's files) for a restarted agent until now.
    if (outcome) await slot.handle?.release?.().catch((err: Error) => this.logger.warn({ task: key, err }, 'task leftovers not removed'));
    this.loggedLines.set(key, slot.shipper.lineCount);
    // A restart in place may have put a new slot here meanwhile.
    if (this.slots.get(key) === slot) this.slots.delete(key);
    return outcome !== undefined;
  }

  private async reportExit(
    ref: TaskRef,
    cause: CommitMeta | undefined,
    exit: TaskExit,
    reason: TaskExitReason,
    error?: string,
  ): Promise<ReportOutcome | undefined> {
    const data = {
      task: ref.task,
      attempt: ref.attempt,
      nodeId: this.nodeId,
      exitCode: exit.exitCode,
      signal: exit.signal,
      reason,
      ...(error !== undefined ? { error } : {}),
      // The process's start count: the job ignores the exit of a process a restart replaced.
      ...('procStartCount' in ref ? { procStartCount: (ref as TaskAssignment).procStartCount } : {}),
    };
    const outcome = await this.retry(`report exit of ${taskKey(ref)}`, () => this.reporter.taskExited(ref.jobId, data, cause));
    if (outcome && !outcome.ok) this.logger.warn({ task: taskKey(ref), reason: outcome.reason, message: outcome.message }, 'the job refused the exit report');
    return outcome;
  }

  // ------------------------------------------------------------ plumbing

  private slotFor(key: string, a: TaskAssignment, firstSeq?: number): TaskSlot {
    const ref: TaskRef = { jobId: a.jobId, task: a.task, attempt: a.attempt };
    const shipper = new LogShipper({
      publish: jetStreamLogPublish(jetstream(this.nc)),
      ...ref,
      ...(firstSeq !== undefined ? { firstSeq } : {}),
      now: this.now,
      onError: (err) => {
        this.logMetrics.publishFailures.inc({ node_id: this.nodeId });
        this.logger.warn({ task: key, err }, 'log batch not stored; resending');
      },
      onStored: (lines, bytes) => {
        this.logMetrics.linesShipped.inc({ node_id: this.nodeId }, lines);
        this.logMetrics.bytesShipped.inc({ node_id: this.nodeId }, bytes);
      },
      spool: this.spool,
    });
    let markStarted!: () => void;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const slot: TaskSlot = { ref, assignment: a, shipper, started, markStarted };
    this.slots.set(key, slot);
    return slot;
  }

  /**
   * Retries an infrastructure failure (NATS away) with a capped backoff: `attempts` times, or until
   * the agent gives up on shutdown (then resolves undefined). A refusal is an answer, not a failure.
   */
  private async retry(what: string, call: () => Promise<ReportOutcome>, attempts = Infinity): Promise<ReportOutcome | undefined> {
    for (let i = 0; ; i++) {
      if (this.givenUp) return undefined;
      try {
        return await call();
      } catch (err) {
        if (i + 1 >= attempts) throw err;
        this.logger.warn({ err, attempt: i + 1 }, `${what} failed; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** i)));
      }
    }
  }

  /**
   * A deliberate stop that leaves the tasks running, as a crash does: stop following them and drop
   * the unstored lines; the next run re-adopts the tasks and replays their output.
   */
  private async leaveTasks(): Promise<void> {
    this.givenUp = true;
    for (const slot of this.slots.values()) {
      slot.handle?.detach?.();
      slot.shipper.abandon();
    }
    if (!this.deps.nc) await this.nc.drain().catch(() => undefined);
    this.logger.info({ tasks: this.slots.size }, 'node agent stopped; its tasks run on');
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    // No new work: the commit in hand (if any) finishes first.
    await this.sub?.stop();
    this.heartbeat?.stop();
    this.sampler?.stop();
    if (this.config.onShutdown === 'leave-tasks') return this.leaveTasks();
    // No redelivery will retry a start report now: let every exit be reported as it comes.
    for (const s of this.slots.values()) s.markStarted();
    const live = [...this.slots.entries()].filter(([key]) => {
      const phase = this.local.get(key)?.phase;
      return phase === 'running' || phase === 'stopping';
    });
    for (const [key, slot] of live) {
      const l = this.local.get(key)!;
      if (l.phase === 'running') this.local.set(key, { ...l, phase: 'stopping' });
      void slot.handle?.stop(this.config.stopGraceMs);
    }
    await Promise.all(live.map(([, s]) => s.handle?.exited));
    const giveUp = setTimeout(() => {
      this.givenUp = true;
      for (const s of this.slots.values()) s.shipper.abandon();
    }, this.deps.shutdownReportMs ?? 10_000);
    await Promise.all(live.map(([, s]) => s.done));
    clearTimeout(giveUp);
    if (!this.deps.nc) await this.nc.drain().catch(() => undefined);
    this.logger.info({}, 'node agent stopped');
  }
}

export type { LaunchRecord };
