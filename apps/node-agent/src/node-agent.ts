import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Subjects, type StoredCommit, type TaskAssignment } from '@trainyard/contracts';
import { awaitStreams, connectNats, credentialOptions, type EventLog, JetStreamEventLog, readNatsCredentials } from '@trainyard/event-log';
import { busReporter, type TaskReporter } from '@trainyard/node-reports';
import { startService } from '@trainyard/transport-jetstream';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import pino from 'pino';
import { logShipperMetrics } from '@trainyard/telemetry';
import type { AgentConfig } from './agent-config';
import type { AgentLogger } from './agent-logger';
import { AgentReports } from './agent-reports';
import { readAcceleratorUsage } from './accelerator-usage';
import { containerRuntime } from './container-runtime';
import { type RunningTask, startHeartbeats } from './heartbeat';
import { type LaunchRecord, LaunchRecords } from './launch-record';
import { LaunchPreparation } from './launch-preparation';
import { jetStreamLogPublish } from './log-shipper';
import { LogSpool } from './log-spool';
import { settleEarlierRun } from './re-adoption';
import { startResourceSampler } from './resource-sampler';
import { startExecService } from './exec-service';
import { supervisedProcessRuntime } from './supervised-process-runtime';
import { TaskLifecycle } from './task-lifecycle';
import type { TaskRuntime } from './task-runtime';
import { TaskSlots } from './task-slots';
import { NODE_COMMITS, NodeAgentModule } from './node-agent.module';
import { prepareWorkDir } from './work-dir-access';

export type { AgentLogger };

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

/** How a node agent that is a process of its own ends: see `startService`. */
export interface NodeAgentProcess {
  finally?: (() => unknown)[];
  handleSignals?: boolean;
}

/**
 * Starts one node agent (decision 5) as a Nest microservice: registers the node, publishes
 * heartbeats, receives the node's subject through the transport's durable consumer `agent-<nodeId>`
 * (`@EventPattern` in NodeCommitsController: acked once handled, redelivered otherwise), launches
 * what is assigned, stops what is asked to stop, ships output to TY_LOGS and reports each start and
 * exit to the job. Several agents may run in one process, each with its own config.
 *
 * @example
 * const agent = await startNodeAgent(loadAgentConfig(process.env));
 * await agent.stop();
 */
export async function startNodeAgent(config: AgentConfig, deps: NodeAgentDeps = {}, process: NodeAgentProcess = {}): Promise<NodeAgentHandle> {
  // A node that cannot run tasks as their users fails here, saying what to change (work-dir-access.ts).
  await prepareWorkDir(config.workDir, config.taskUsers);
  const credentials = config.natsCredentials ? readNatsCredentials(config.natsCredentials) : undefined;
  const nc = deps.nc ?? (await connectNats(config.natsServers.join(','), `trainyard-agent-${config.nodeId}`, credentialOptions(credentials)));
  const agent = new NodeAgent(config, deps, nc);
  try {
    const { app } = await startService({
      module: NodeAgentModule.forRoot(agent),
      nc,
      log: agent.log,
      consumers: {
        [NODE_COMMITS]: {
          kind: 'durable',
          durable: `agent-${config.nodeId}`,
          filter: Subjects.node(config.nodeId),
          retryDelayMs: deps.retryDelayMs ?? 1000,
          onError: (err, at) => agent.logger.warn({ err, subject: at.subject, seq: at.seq }, 'node commit not handled; it will come again'),
        },
      },
      ...process,
    });
    if (config.taskUsers.mode === 'agent') {
      agent.logger.warn({ uid: globalThis.process.getuid?.() }, 'TY_TASK_USER=agent: every process task runs as this agent\'s user, whatever its algorithm.userId; tasks can read the agent\'s files, its credentials among them');
    }
    agent.logger.info({ host: config.host, pool: config.pool, capacity: config.capacity }, 'node agent ready');
    let stopped: Promise<void> | undefined;
    return {
      nodeId: agent.nodeId,
      running: () => agent.running(),
      stop: () => (stopped ??= (agent.shuttingDown(), app.close())),
    };
  } catch (err) {
    if (!deps.nc) await nc.close().catch(() => undefined);
    throw err;
  }
}

/**
 * The wiring: builds the parts (reports, launch preparation, task slots, the task lifecycle) once
 * the connection is up, then starts them in the order that keeps the log and the reports right, and
 * stops them on shutdown. What happens to a task is task-lifecycle.ts's business, not this file's.
 */
export class NodeAgent {
  readonly nodeId: string;
  readonly log: EventLog;
  readonly logger: AgentLogger;
  private readonly records: LaunchRecords;
  private readonly now: () => Date;
  private runtimes!: Partial<Record<TaskAssignment['runtime'], TaskRuntime>>;
  private reports!: AgentReports;
  private slots!: TaskSlots;
  private tasks!: TaskLifecycle;
  private heartbeat?: { stop(): void };
  private sampler?: { stop(): void };
  private exec?: Subscription;
  /** Disk buffer of log batches NATS could not take (`TY_LOG_SPOOL_MAX_BYTES`, default 1 GiB). */
  private readonly spool: LogSpool;
  private readonly logMetrics = logShipperMetrics();
  private stopped?: Promise<void>;

  constructor(
    private readonly config: AgentConfig,
    private readonly deps: NodeAgentDeps,
    private readonly nc: NatsConnection,
  ) {
    this.nodeId = config.nodeId;
    this.log = deps.eventLog ?? new JetStreamEventLog(nc);
    this.records = new LaunchRecords(config.workDir);
    this.spool = new LogSpool({ dir: `${config.workDir}/log-spool`, maxBytes: Number(process.env.TY_LOG_SPOOL_MAX_BYTES ?? 2 ** 30) });
    this.now = deps.now ?? (() => new Date());
    this.logger = deps.logger ?? pino({ name: 'node-agent', level: process.env.TY_LOG_LEVEL ?? 'info' }).child({ nodeId: config.nodeId });
  }

  /**
   * Everything before the node's commits flow (NodeAgentModule runs it before the transport listens):
   * the node registered, spooled logs sent, heartbeats on, the earlier run settled, sampling on.
   */
  async start(): Promise<void> {
    // Agents never create streams: only the control plane can tell a fresh cluster from a lost store.
    await awaitStreams(this.nc, { onWait: (missing) => this.logger.error({ missing }, 'waiting for the event stream (lost or not created yet)') });
    this.compose();
    await mkdir(this.config.workDir, { recursive: true });
    await this.reports.registerNode(this.config);
    // Log batches an earlier run left in the spool (NATS was away when it died) go out first, and
    // before re-adoption: a re-adopted task numbers on after what TY_LOGS holds, spooled lines included.
    const publish = jetStreamLogPublish(jetstream(this.nc));
    await this.spool.drainLeftovers((b) => publish(b.subject, b.body, b.msgId)).catch((err) => this.logger.warn({ err }, 'spooled log batches not sent'));
    // Heard before the earlier run is settled: relaunching what it lost runs a pre-check first.
    this.heartbeat = startHeartbeats(this.nc, this.nodeId, this.config.heartbeatMs, () => this.running(), this.now);
    await this.settleEarlierRun();
    this.startSampler();
    this.exec = startExecService(this.nc, this.nodeId, (key) => this.tasks.execTarget(key), this.logger);
    this.tasks.watchCheckpoints(Number(process.env.TY_CHECKPOINT_POLL_MS ?? 500));
  }

  /** One commit on the node's subject (NodeCommitsController); a throw leaves it to come again. */
  onCommit(commit: StoredCommit): Promise<void> {
    return this.tasks.onCommit(commit);
  }

  /** No new work from here on: exits are now the agent's own stops unless the control plane asked. */
  shuttingDown(): void {
    this.tasks?.shuttingDown();
  }

  /** The parts, each given what it needs; nothing here does I/O. */
  private compose(): void {
    const { nodeId, nc, records, now, logger, config, deps } = this;
    this.reports = new AgentReports(deps.reporter ?? busReporter(nc, nodeId), nodeId, logger);
    this.runtimes = deps.runtimes ?? {
      process: supervisedProcessRuntime({ stateDir: join(config.workDir, 'launches') }),
      container: containerRuntime(config.container),
    };
    this.slots = new TaskSlots({ nc, nodeId, now, spool: this.spool, metrics: this.logMetrics, logger });
    const launcher = new LaunchPreparation(config, this.runtimes, records, this.reports, logger);
    const { reports, slots } = this;
    this.tasks = new TaskLifecycle({ nodeId, stopGraceMs: config.stopGraceMs, nc, records, launcher, reports, slots, now, logger, workDir: config.workDir });
  }

  private settleEarlierRun(): Promise<void> {
    const { nodeId, nc, records, runtimes, reports, slots, logger } = this;
    return settleEarlierRun({ nodeId, nc, records, runtimes, reports, slots, logger }, this.tasks);
  }

  private startSampler(): void {
    const sampleMs = this.deps.resourceSampleMs ?? Number(process.env.TY_METRICS_SAMPLE_MS ?? 10_000);
    // Only a node that declared cards runs the vendor tools each tick; a slow tool gets at most one interval.
    const { gpu, npu } = this.config.capacity;
    const toolMs = Math.max(1000, Math.min(sampleMs, this.config.preflight.itemTimeoutMs));
    const accelerators = gpu > 0 || npu > 0 ? () => readAcceleratorUsage(this.config.preflight.toolPath, toolMs) : undefined;
    const sampled = () => {
      this.logMetrics.spoolBytes.set({ node_id: this.nodeId }, this.spool.bytes);
      return this.tasks.sampled();
    };
    this.sampler = startResourceSampler(this.nc, this.nodeId, sampleMs, sampled, this.now, accelerators ? { accelerators } : {});
  }

  running(): RunningTask[] {
    return this.tasks.running();
  }

  /** After the transport closed (the commit in hand, if any, finished): stop or leave the tasks. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /**
   * A deliberate stop that leaves the tasks running, as a crash does: stop following them and drop
   * the unstored lines; the next run re-adopts the tasks and replays their output.
   */
  private async leaveTasks(): Promise<void> {
    this.reports.giveUp();
    for (const slot of this.slots.values()) {
      slot.handle?.detach?.();
      slot.shipper.abandon();
    }
    if (!this.deps.nc) await this.nc.drain().catch(() => undefined);
    this.logger.info({ tasks: this.slots.size }, 'node agent stopped; its tasks run on');
  }

  private async shutdown(): Promise<void> {
    this.shuttingDown();
    this.heartbeat?.stop();
    this.sampler?.stop();
    this.exec?.unsubscribe();
    this.tasks?.unwatchCheckpoints();
    if (this.config.onShutdown === 'leave-tasks') return this.leaveTasks();
    await this.tasks.stopAll(this.config.stopGraceMs, this.deps.shutdownReportMs ?? 10_000);
    if (!this.deps.nc) await this.nc.drain().catch(() => undefined);
    this.logger.info({}, 'node agent stopped');
  }
}

export type { LaunchRecord };
