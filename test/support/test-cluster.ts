import { freshSchema, passableTempDir, startNatsServer, TEST_ADMIN_TOKEN, type FreshSchema, type NatsServer } from '@trainyard/testing';
import { bootstrapBus } from '@trainyard/event-log';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../apps/all-in-one/src/local-cluster';

export interface TestCluster extends AsyncDisposable {
  cluster: LocalCluster;
  nats: NatsServer;
  schema: FreshSchema;
  dataDir: string;
  api: ApiClient;
  /** A locked bus: the directory of every identity's credentials and the server's authorization file. */
  busDir?: string;
}

/**
 * A whole Trainyard in this process against real servers: a private nats-server (so the test may
 * restart it) and a fresh schema in the machine's PostgreSQL. Agents get small, fixed capacities so
 * placement is predictable.
 */
export async function startTestCluster(overrides: Partial<LocalClusterOptions> = {}, fixture: { lockedBus?: boolean; extraNodes?: string[] } = {}): Promise<TestCluster> {
  // Tasks run as uid 1000: they must pass the data dir to reach their homes under it.
  const dataDir = passableTempDir('trainyard-e2e-');
  // A locked bus (issue 11): `yard admin bootstrap`'s files, the server started with its authorization block.
  const busDir = fixture.lockedBus ? join(dataDir, 'bus') : undefined;
  if (busDir) {
    // extraNodes: bootstrapped but not started here (a node that joins later, issue 12).
    const nodes = [...(overrides.agents ?? [{ nodeId: 'node-1' }, { nodeId: 'node-2' }]).map((a) => a.nodeId!), ...(fixture.extraNodes ?? [])];
    bootstrapBus(busDir, nodes);
    writeFileSync(join(busDir, 'locked.conf'), 'include ./trainyard-auth.conf\n');
  }
  const nats = await startNatsServer(busDir ? { args: ['-c', join(busDir, 'locked.conf'), '-l', join(busDir, 'nats-server.log')] } : {});
  const schema = await freshSchema();
  try {
    const cluster = await startLocalCluster({
      natsUrl: nats.url,
      ...(busDir ? { natsCredentialsDir: busDir } : {}),
      databaseUrl: schema.url,
      schema: schema.schema,
      dataDir,
      api: { host: '127.0.0.1', port: 0 },
      agents: [
        { nodeId: 'node-1', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 2_000 },
        { nodeId: 'node-2', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 2_000 },
      ],
      scheduler: { heartbeatTimeoutMs: 3_000, stopGraceMs: 2_000, tickMs: 250 },
      ...overrides,
      // Every route needs a principal: the fixture's admin token is the cluster owner's.
      apiOptions: { ...overrides.apiOptions, bootstrapAdmin: { token: TEST_ADMIN_TOKEN, ...overrides.apiOptions?.bootstrapAdmin } },
    });
    const dispose = async () => {
      await cluster.stop();
      await nats.stop();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    return { cluster, nats, schema, dataDir, busDir, api: new ApiClient(cluster.apiUrl), [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await nats.stop();
    await schema.drop();
    throw err;
  }
}

/** A tiny JSON client for the HTTP API, returning status and body; it calls as `token` (default: the test admin). */
export class ApiClient {
  constructor(
    readonly url: string,
    readonly token: string | null = TEST_ADMIN_TOKEN,
  ) {}

  /** The same API as another principal (`null` or `undefined`: no token at all). */
  as(token: string | null | undefined): ApiClient {
    return new ApiClient(this.url, token ?? null);
  }

  /** Headers that authenticate as this client's token. */
  get auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: { ...this.auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text || undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (the console's HTML): the text itself.
    }
    return { status: res.status, body: parsed };
  }

  /** Polls a job until it is in `state` (or any terminal state, which fails the wait). */
  async waitFor(id: string, state: string, timeoutMs = 60_000): Promise<any> {
    const end = Date.now() + timeoutMs;
    const terminal = ['completed', 'failed', 'terminated', 'abnormal', 'deleted'];
    let last: any;
    while (Date.now() < end) {
      last = (await this.call('GET', `/v1/training-jobs/${id}`)).body;
      if (last?.state === state) return last;
      if (terminal.includes(last?.state)) throw new Error(`job ${id} reached ${last.state}, not ${state}: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} not ${state} in time; last seen ${JSON.stringify(last)}`);
  }
}
