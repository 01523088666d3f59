import { freshSchema, startNatsServer, type FreshSchema, type NatsServer } from '@trainyard/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../../apps/all-in-one/src/local-cluster';

export interface TestCluster extends AsyncDisposable {
  cluster: LocalCluster;
  nats: NatsServer;
  schema: FreshSchema;
  dataDir: string;
  api: ApiClient;
}

/**
 * A whole Trainyard in this process against real servers: a private nats-server (so the test may
 * restart it) and a fresh schema in the machine's PostgreSQL. Agents get small, fixed capacities so
 * placement is predictable.
 */
export async function startTestCluster(overrides: Partial<LocalClusterOptions> = {}): Promise<TestCluster> {
  const nats = await startNatsServer();
  const schema = await freshSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'trainyard-e2e-'));
  try {
    const cluster = await startLocalCluster({
      natsUrl: nats.url,
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
    });
    const dispose = async () => {
      await cluster.stop();
      await nats.stop();
      await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    };
    return { cluster, nats, schema, dataDir, api: new ApiClient(cluster.apiUrl), [Symbol.asyncDispose]: dispose };
  } catch (err) {
    await nats.stop();
    await schema.drop();
    throw err;
  }
}

/** A tiny JSON client for the HTTP API, returning status and body. */
export class ApiClient {
  constructor(readonly url: string) {}

  async call<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
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
