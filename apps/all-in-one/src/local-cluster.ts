import type { NatsConnection } from '@nats-io/transport-node';
import { createDatabase, migrate, Projector, readCheckpoint, readLogCheckpoint, type DatabaseHandle } from '@trainyard/db';
import { connectNats, JetStreamEventLog, openStreams } from '@trainyard/event-log';
import { resolve } from 'node:path';
import { DEFAULT_API_OPTIONS, type ApiOptions, startApiServer, type ApiServer, DbReadModel, dbApiMetrics, dbLogReads } from '../../api/src/index';
import { FaultManager, type FaultManagerOptions } from '../../fault-manager/src/index';
import { DEFAULT_LOG_ROUTER_OPTIONS, startLogRouterService, type LogRouterServiceOptions } from '../../log-router/src/index';
import { loadAgentConfig, type AgentConfig, startNodeAgent, type NodeAgentHandle } from '../../node-agent/src/index';
import { DEFAULT_SCHEDULER_OPTIONS, SchedulerService, type SchedulerOptions } from '../../scheduler/src/index';

export interface LocalClusterOptions {
  natsUrl: string;
  /** PostgreSQL URL; without it an embedded PGlite database (persisted in `dataDir/pglite`). */
  databaseUrl?: string;
  /** Schema of the read models (tests use a fresh one each). */
  schema?: string;
  dataDir: string;
  api: { host: string; port: number };
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
}

export interface LocalCluster {
  apiUrl: string;
  nc: NatsConnection;
  eventLog: JetStreamEventLog;
  database: DatabaseHandle;
  projector: Projector;
  agents: Map<string, NodeAgentHandle>;
  /** Stops the log router and starts a new one on the same database (fault-injection tests). */
  restartLogRouter(): Promise<void>;
  /** Starts (again) the agent with this config, e.g. after a test killed it. */
  startAgent(config: Partial<AgentConfig>): Promise<NodeAgentHandle>;
  stop(): Promise<void>;
}

/**
 * Every service of Trainyard in one process, each with its own NATS connection as if it ran alone:
 * api (with the projector), scheduler, fault manager, log router and the node agents. `npm start`
 * and the end-to-end tests both use it. Services stop in reverse order.
 */
export async function startLocalCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  const stops: (() => Promise<unknown>)[] = [];
  const connect = async (name: string) => {
    const c = await connectNats(opts.natsUrl, `trainyard-${name}`);
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

    const schedulerNc = await connect('scheduler');
    const scheduler = new SchedulerService(schedulerNc, new JetStreamEventLog(schedulerNc), { ...DEFAULT_SCHEDULER_OPTIONS, ...opts.scheduler });
    await scheduler.start();
    stops.push(() => scheduler.stop());

    const faultNc = await connect('fault-manager');
    const faults = new FaultManager(faultNc, new JetStreamEventLog(faultNc), opts.faultManager, { db: database.db });
    await faults.start();
    stops.push(() => faults.stop());

    const agents = new Map<string, NodeAgentHandle>();
    const startAgent = async (partial: Partial<AgentConfig>) => {
      const config = loadAgentConfig({}, {
        natsServers: [opts.natsUrl],
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
      { nc, reads: new DbReadModel(database, projector, eventLog), logs: dbLogReads(database), metrics: dbApiMetrics(database, nc), options: { ...DEFAULT_API_OPTIONS, ...opts.apiOptions } },
      opts.api,
    );
    stops.push(() => api.close());

    return {
      apiUrl: api.url, nc, eventLog, database, projector, agents, startAgent, restartLogRouter,
      async stop() {
        for (const s of stops.reverse()) await s().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    throw err;
  }
}
