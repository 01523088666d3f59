import { freshSchema, passableTempDir, startNatsServer, TEST_ADMIN_TOKEN, type FreshSchema, type NatsServer } from '@trainyard/testing';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildOnce, startService, type ServiceProcess } from './processes';

/**
 * The deployment shape of the architecture page for a test: a private nats-server, a fresh schema
 * in the machine's PostgreSQL, and every service started as its own process from `dist/` with the
 * shared environment. Tests start the services they need with `start` and may kill any of them.
 */
export interface ProcessCluster {
  env: Record<string, string>;
  apiUrl: string;
  dataDir: string;
  services: Map<string, ServiceProcess>;
  start(name: string, app: string, extra?: Record<string, string>): Promise<ServiceProcess>;
  /** A node agent process with a small fixed capacity and its own work dir. */
  startAgent(nodeId: string, extra?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export async function startProcessCluster(extraEnv: Record<string, string> = {}): Promise<ProcessCluster> {
  buildOnce();
  const nats: NatsServer = await startNatsServer();
  const schema: FreshSchema = await freshSchema();
  const dataDir = passableTempDir('trainyard-procs-');
  const port = 18_000 + Math.floor(Math.random() * 4_000);
  const env = {
    TY_NATS_URL: nats.url,
    TY_DATABASE_URL: schema.url,
    TY_DATABASE_SCHEMA: schema.schema,
    TY_API_PORT: String(port),
    TY_DATA_DIR: dataDir,
    TY_HEARTBEAT_MS: '500',
    // The API makes the fixture's admin token the cluster owner's (every route needs a principal).
    TY_BOOTSTRAP_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...extraEnv,
  };
  const services = new Map<string, ServiceProcess>();
  const start = async (name: string, app: string, extra: Record<string, string> = {}) => {
    const p = await startService(name, app, { ...env, ...extra }, /ready|listening/);
    services.set(name, p);
    return p;
  };
  return {
    env,
    apiUrl: `http://127.0.0.1:${port}`,
    dataDir,
    services,
    start,
    startAgent: (nodeId, extra = {}) =>
      start(nodeId, 'node-agent', { TY_NODE_ID: nodeId, TY_NODE_CPU: '2', TY_NODE_MEMORY_MIB: '2048', TY_NODE_WORK_DIR: join(dataDir, nodeId), ...extra }),
    async stop() {
      for (const p of [...services.values()].reverse()) await p.stop();
      await nats.stop();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
