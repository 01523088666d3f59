import type { NatsConnection } from '@nats-io/transport-node';
import { createDatabase, migrate, Projector, readCheckpoint, readLogCheckpoint, type DatabaseHandle } from '@trainyard/db';
import { agentIdentity, type ServiceIdentity } from '@trainyard/contracts';
import { connectNats, credentialOptions, credentialsFile, JetStreamEventLog, openStreams, readNatsCredentials } from '@trainyard/event-log';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_API_OPTIONS, type ApiListen, type ApiOptions, startApiServer, type ApiServer, DbReadModel, dbApiMetrics, dbLogReads } from '../../api/src/index';
import { startFaultManager, type FaultManagerOptions } from '../../fault-manager/src/index';
import { DEFAULT_LOG_ROUTER_OPTIONS, startLogRouterService, type LogRouterServiceOptions } from '../../log-router/src/index';
import { startNotifierService, type NotifierOptions } from '../../notifier/src/index';
import { loadAgentConfig, type AgentConfig, startNodeAgent, type NodeAgentHandle } from '../../node-agent/src/index';
import { DEFAULT_SCHEDULER_OPTIONS, startScheduler, type SchedulerOptions } from '../../scheduler/src/index';
import { startTuner, type TunerApp, type TunerOptions } from '../../tuner/src/index';

export interface LocalClusterOptions {
  natsUrl: string;
  /**
   * A locked bus (issue 11): the directory of `yard admin bootstrap`'s credentials files; every
   * service and agent connects as itself, and commands must carry the API's principal header.
   * Unset: an open bus (the shared development NATS).
   */
  natsCredentialsDir?: string;
  /** PostgreSQL URL; without it an embedded PGlite database (persisted in `dataDir/pglite`). */
  databaseUrl?: string;
  /** Schema of the read models (tests use a fresh one each). */
  schema?: string;
  dataDir: string;
  /** Where the API listens; HTTPS with `tls`. */
  api: ApiListen;
  /** One node agent each; `nodeId` and `capacity` at least. */
  agents: Partial<AgentConfig>[];
  /** How often agents sample their tasks' resources (default 10 s). */
  resourceSampleMs?: number;
  scheduler?: Partial<SchedulerOptions>;
  /** Fault manager times and thresholds (lease, hang window scale…). */
  faultManager?: Partial<FaultManagerOptions>;
  apiOptions?: Partial<ApiOptions>;
  /** Log retention and router tuning. */
  logRouter?: LogRouterServiceOptions;
  /** Webhook delivery tuning (back-off, time limit). */
  notifier?: Partial<NotifierOptions>;
  /** Hyperparameter search (issue 15); `false`: no tuner here (a test runs it as a process of its own). */
  tuner?: Partial<TunerOptions> | false;
}

export interface LocalCluster {
  apiUrl: string;
  /** Every route the API serves (`METHOD /pattern`). */
  apiRoutes: string[];
  nc: NatsConnection;
  eventLog: JetStreamEventLog;
  database: DatabaseHandle;
  projector: Projector;
  agents: Map<string, NodeAgentHandle>;
  /** Stops the log router and starts a new one on the same database (fault-injection tests). */
  restartLogRouter(): Promise<void>;
  /** Stops the notifier; `start` starts it again on the same database and durable consumer. */
  notifier: { stop(): Promise<void>; start(): Promise<void> };
  /** The tuner, while it runs here. */
  tuner?: TunerApp;
  /** Starts (again) the agent with this config, e.g. after a test killed it. */
  startAgent(config: Partial<AgentConfig>): Promise<NodeAgentHandle>;
  stop(): Promise<void>;
}

/**
 * Every service of Trainyard in one process, each with its own NATS connection as if it ran alone:
 * api (with the projector), scheduler, fault manager, log router, notifier, tuner and the node agents. `npm start`
 * and the end-to-end tests both use it. Services stop in reverse order.
 */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const stops: (() => Promise<unknown>)[] = [];
  const dir = opts.natsCredentialsDir;
  const connect = async (name: ServiceIdentity) => {
    const c = await connectNats(opts.natsUrl, `trainyard-${name}`, credentialOptions(dir ? readNatsCredentials(credentialsFile(dir, name)) : undefined));
    stops.push(() => c.drain());
    return c;
  };
  try {
    const nc = await connect('api');

    const database = createDatabase({
      url: opts.databaseUrl,
      dataDir: opts.databaseUrl ? undefined : resolve(opts.dataDir, 'pglite'),
      schema: opts.schema,
    });
    stops.push(() => database.close());
    await migrate(database.db, database.schema);
    // This process holds both stores, so it owns both streams: created on a fresh cluster, refused
    // when lost or replaced (docs/architecture.md "Streams").
    await openStreams(nc, {
      events: await readCheckpoint(database.db),
      logs: await readLogCheckpoint(database.db, opts.logRouter?.router?.name ?? DEFAULT_LOG_ROUTER_OPTIONS.name),
    });
    const eventLog = new JetStreamEventLog(nc);

    const projector = new Projector({ db: database.db, eventLog });
    await projector.start();
    stops.push(() => projector.stop());

    const routerNc = await connect('log-router');
    let logRouter = await startLogRouterService(routerNc, database, opts.logRouter);
    stops.push(() => logRouter.stop());
    const restartLogRouter = async () => {
      await logRouter.stop();
      logRouter = await startLogRouterService(routerNc, database, opts.logRouter);
    };

    // Webhook notifications (issue 15): a durable consumer of its own over the whole log.
    const notifierNc = await connect('notifier');
    let notifierService: Awaited<ReturnType<typeof startNotifierService>> | undefined = await startNotifierService(notifierNc, database, opts.notifier);
    const notifier = {
      async stop() {
        await notifierService?.stop();
        notifierService = undefined;
      },
      async start() {
        notifierService ??= await startNotifierService(notifierNc, database, opts.notifier);
      },
    };
    stops.push(() => notifier.stop());

    const schedulerNc = await connect('scheduler');
    const scheduler = await startScheduler({ nc: schedulerNc, log: new JetStreamEventLog(schedulerNc), options: { ...DEFAULT_SCHEDULER_OPTIONS, ...opts.scheduler }, requirePrincipal: !!dir });
    stops.push(() => scheduler.stop());

    const faultNc = await connect('fault-manager');
    const faults = await startFaultManager({ nc: faultNc, log: new JetStreamEventLog(faultNc), options: opts.faultManager, db: database.db, requirePrincipal: !!dir });
    stops.push(() => faults.stop());

    // Hyperparameter search (issue 15): a replica of its own that submits trials as the scheduler's clients do.
    let tuner: TunerApp | undefined;
    if (opts.tuner !== false) {
      const tunerNc = await connect('tuner');
      tuner = await startTuner({ nc: tunerNc, log: new JetStreamEventLog(tunerNc), db: database.db, options: opts.tuner ?? {} });
      stops.push(() => tuner!.stop());
    }

    const trustSecretFile = localTrustSecret(opts.dataDir);
    const agents = new Map<string, NodeAgentHandle>();
    const startAgent = async (partial: Partial<AgentConfig>) => {
      const config = loadAgentConfig({ TY_SSH_TRUST_SECRET_FILE: trustSecretFile }, {
        natsServers: [opts.natsUrl],
        ...(dir && partial.nodeId ? { natsCredentials: credentialsFile(dir, agentIdentity(partial.nodeId)) } : {}),
        ...partial,
        workDir: partial.workDir ?? resolve(opts.dataDir, 'agents', partial.nodeId ?? 'node'),
      });
      const handle = await startNodeAgent(config, { resourceSampleMs: opts.resourceSampleMs });
      agents.set(config.nodeId, handle);
      return handle;
    };
    for (const a of opts.agents) await startAgent(a);
    stops.push(() => Promise.all([...agents.values()].map((a) => a.stop())));

    const api: ApiServer = await startApiServer(
      { nc, reads: new DbReadModel(database, projector, eventLog), logs: dbLogReads(database), metrics: dbApiMetrics(database, nc), options: { ...DEFAULT_API_OPTIONS, ...(dir ? { joinCredentialsDir: dir } : {}), ...opts.apiOptions } },
      opts.api,
    );
    stops.push(() => api.close());

    return {
      apiUrl: api.url, apiRoutes: api.routes, nc, eventLog, database, projector, agents, startAgent, restartLogRouter, notifier, tuner,
      async stop() {
        for (const s of stops.reverse()) await s().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw err;
  }
}

/**
 * The local cluster's SSH trust secret (issue 14, node-agent ssh-trust/): made once in the data dir
 * (0600), shared by its agents as a real cluster's agents share `TY_SSH_TRUST_SECRET_FILE`.
 */
function localTrustSecret(dataDir: string): string {
  const file = resolve(dataDir, 'ssh-trust.secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${randomBytes(48).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return file;
}
