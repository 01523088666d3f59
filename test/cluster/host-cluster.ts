import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { agentIdentity, type BusIdentity } from '@trainyard/contracts';
import { bootstrapBus, connectNats, credentialOptions, readNatsCredentials } from '@trainyard/event-log';
import { passableTempDir, TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { createHostNetwork, type HostNetwork, type NetHost } from '@trainyard/testing/netns';
import { rmSync } from 'node:fs';
import { buildServicesOnce, startService, type ServiceProcess } from '../support/processes';
import { ApiClient } from '../support/test-cluster';
import { startNamespacedPostgres, type NamespacedPostgres } from './namespaced-postgres';
import { startNatsCluster, type NatsCluster } from './nats-cluster';

/** Lease and fault times of the cluster: a node is lost 3 s after its last heartbeat, a leader replaced after 1.5 s. */
export const LEASE_MS = 1_500;
const LOST_GRACE_MS = 1_500;
export const NODE_LOST_AFTER_MS = LEASE_MS + LOST_GRACE_MS;

export const AGENTS = ['agent-1', 'agent-2', 'agent-3'] as const;
const HOSTS = ['nats-1', 'nats-2', 'nats-3', 'db', 'api', 'log-router', 'scheduler-1', 'scheduler-2', 'fault-manager-1', 'fault-manager-2', ...AGENTS];

/** What runs where: a service's name is its host's name, and its bus identity is its app's. */
const SERVICES: { host: string; app: string; identity: BusIdentity; env?: Record<string, string> }[] = [
  { host: 'api', app: 'api', identity: 'api' },
  { host: 'log-router', app: 'log-router', identity: 'log-router' },
  { host: 'scheduler-1', app: 'scheduler', identity: 'scheduler', env: { TY_SCHEDULER_ID: 'scheduler-1' } },
  { host: 'scheduler-2', app: 'scheduler', identity: 'scheduler', env: { TY_SCHEDULER_ID: 'scheduler-2' } },
  { host: 'fault-manager-1', app: 'fault-manager', identity: 'fault-manager', env: { TY_FAULT_MANAGER_ID: 'fault-manager-1' } },
  { host: 'fault-manager-2', app: 'fault-manager', identity: 'fault-manager', env: { TY_FAULT_MANAGER_ID: 'fault-manager-2' } },
];

/**
 * The deployment of issue 12 on hosts made of network namespaces: three NATS servers clustered with
 * JetStream (streams R3), a PostgreSQL of its own, the API, the log router, two schedulers and two
 * fault managers each on a host of its own, and a node agent (process runtime) on each of three
 * more. The bus is locked (bootstrapBus): every process connects with its own credentials, and the
 * test reads the log as the API. The test itself sits in the root namespace and reaches every host
 * through the bridge.
 */
export interface HostCluster {
  net: HostNetwork;
  nats: NatsCluster;
  pg: NamespacedPostgres;
  api: ApiClient;
  apiUrl: string;
  dataDir: string;
  /** The test's own connection, as the API's identity. */
  nc: NatsConnection;
  /** Running processes by host name. */
  services: Map<string, ServiceProcess>;
  /** (Re)starts the service or agent of `host`. */
  start(host: string): Promise<ServiceProcess>;
  /** The scheduler replica that holds the lease now (its host name). */
  schedulerLeader(): Promise<string>;
  stop(): Promise<void>;
}

export async function startHostCluster(): Promise<HostCluster> {
  buildServicesOnce();
  const net = await createHostNetwork(HOSTS);
  const dataDir = passableTempDir('trainyard-hosts-');
  const stoppers: (() => Promise<void>)[] = [];
  try {
    const busDir = join(dataDir, 'bus');
    const bus = bootstrapBus(busDir, [...AGENTS]);
    const creds = (id: BusIdentity) => bus.credentials.get(id)!;
    const nats = await startNatsCluster(['nats-1', 'nats-2', 'nats-3'].map((h) => net.host(h)), join(dataDir, 'nats'), { authorizationFile: bus.authorizationFile });
    stoppers.push(() => nats.stop());
    const pg = await startNamespacedPostgres(net.host('db'), join(dataDir, 'postgres'));
    stoppers.push(() => pg.kill('SIGINT'));
    await pg.createDatabase('trainyard');

    const nc = await connectNats(nats.url, 'cluster-test', credentialOptions(readNatsCredentials(creds('api'))));
    stoppers.push(() => nc.close());

    const apiHost = net.host('api');
    const apiUrl = `http://${apiHost.address}:8080`;
    const common: Record<string, string> = {
      TY_NATS_URL: nats.url,
      TY_DATABASE_URL: pg.url('trainyard'),
      TY_DATA_DIR: dataDir,
      TY_BOOTSTRAP_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      TY_API_URL: apiUrl,
      // R3 (issue 12): the API and the log router create TY_EVENTS and TY_LOGS with three replicas.
      // nats-server 2.9.10 is below the version that replicates safely (nats-server#4320); the test
      // runs it anyway, on purpose and loudly.
      TY_STREAM_REPLICAS: '3',
      TY_ALLOW_REPLICAS_ON_OLD_NATS: '1',
      TY_HEARTBEAT_MS: '500',
      TY_SCHEDULER_LEASE_TTL_MS: String(LEASE_MS),
      TY_SCHEDULER_TICK_MS: '200',
      TY_FAULT_MANAGER_LEASE_TTL_MS: String(LEASE_MS),
      TY_FAULT_LEASE_MS: String(LEASE_MS),
      TY_FAULT_LOST_GRACE_MS: String(LOST_GRACE_MS),
      TY_FAULT_TICK_MS: '200',
      TY_FAULT_STOP_GRACE_MS: '1000',
      TY_FAULT_ROOT_CAUSE_WAIT_MS: '1000',
    };
    const services = new Map<string, ServiceProcess>();
    stoppers.push(async () => {
      for (const p of [...services.values()].reverse()) await p.stop();
    });
    const envOf = (hostName: string): { app: string; env: Record<string, string> } => {
      const host: NetHost = net.host(hostName);
      if ((AGENTS as readonly string[]).includes(hostName)) {
        return {
          app: 'node-agent',
          env: {
            ...common,
            TY_NATS_CREDENTIALS: creds(agentIdentity(hostName)),
            TY_NODE_ID: hostName,
            TY_NODE_HOST: host.address,
            TY_NODE_CPU: '40',
            TY_NODE_MEMORY_MIB: '16384',
            TY_NODE_WORK_DIR: join(dataDir, 'agents', hostName),
            TY_STOP_GRACE_MS: '1000',
            TY_PREFLIGHT: 'off',
          },
        };
      }
      const s = SERVICES.find((x) => x.host === hostName);
      if (!s) throw new Error(`nothing runs on ${hostName}`);
      return { app: s.app, env: { ...common, TY_NATS_CREDENTIALS: creds(s.identity), ...(s.app === 'api' ? { TY_API_HOST: host.address, TY_API_PORT: '8080' } : {}), ...s.env } };
    };
    const start = async (hostName: string) => {
      const { app, env } = envOf(hostName);
      const p = await startService(hostName, app, env, /ready|listening/, [], { launcher: net.host(hostName).exec, readyTimeoutMs: 60_000 });
      services.set(hostName, p);
      return p;
    };
    // The API first: it creates TY_EVENTS, which the others wait for.
    await start('api');
    await Promise.all(['log-router', 'scheduler-1', 'fault-manager-1'].map(start));
    // The second replicas after the first: the first of each pair leads.
    await Promise.all(['scheduler-2', 'fault-manager-2', ...AGENTS].map(start));

    const leases = await new Kvm(nc).open('TY_LEADER');
    return {
      net,
      nats,
      pg,
      api: new ApiClient(apiUrl),
      apiUrl,
      dataDir,
      nc,
      services,
      start,
      async schedulerLeader() {
        const e = await leases.get('scheduler');
        const holder = e?.string();
        if (!holder) throw new Error('no scheduler holds the lease');
        return holder;
      },
      async stop() {
        for (const s of stoppers.reverse()) await s().catch(() => undefined);
        await net.destroy();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const s of stoppers.reverse()) await s().catch(() => undefined);
    await net.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
