import { freshSchema, startNatsServer, type FreshSchema, type NatsServer } from '@trainyard/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, startService, yard, type ServiceProcess } from './support/processes';

/**
 * The deployment shape of the architecture page: every service its own process, PostgreSQL shared,
 * driven through the `yard` CLI. Crashes are SIGKILLs.
 */
describe('services as processes - the CLI drives a cluster that survives a crashed API', () => {
  let nats: NatsServer;
  let schema: FreshSchema;
  let dataDir: string;
  let env: Record<string, string>;
  const services = new Map<string, ServiceProcess>();
  let api: string;

  const start = async (name: string, app: string, extra: Record<string, string> = {}) => {
    const p = await startService(name, app, { ...env, ...extra }, /ready|listening/);
    services.set(name, p);
    return p;
  };

  beforeAll(async () => {
    buildOnce();
    nats = await startNatsServer();
    schema = await freshSchema();
    dataDir = mkdtempSync(join(tmpdir(), 'trainyard-procs-'));
    const port = 18_000 + Math.floor(Math.random() * 2_000);
    api = `http://127.0.0.1:${port}`;
    env = {
      TY_NATS_URL: nats.url,
      TY_DATABASE_URL: schema.url,
      TY_DATABASE_SCHEMA: schema.schema,
      TY_API_PORT: String(port),
      TY_DATA_DIR: dataDir,
      TY_HEARTBEAT_MS: '500',
    };
    await start('api', 'api');
    await start('log-router', 'log-router');
    await start('scheduler', 'scheduler');
    for (const id of ['node-1', 'node-2']) {
      await start(id, 'node-agent', { TY_NODE_ID: id, TY_NODE_CPU: '2', TY_NODE_MEMORY_MIB: '2048', TY_NODE_WORK_DIR: join(dataDir, id) });
    }
  });

  afterAll(async () => {
    for (const p of [...services.values()].reverse()) await p.stop();
    await nats?.stop();
    await schema?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('submits the hello example with yard, waits for completion, and shows events and logs', async () => {
    const submitted = await yard(['submit', 'examples/hello/job.yaml', '--json'], api);
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const id = JSON.parse(submitted.stdout).id;

    const waited = await yard(['wait', id, '--for', 'completed', '--timeout', '60'], api);
    expect(waited.code).toBe(0);

    const events = await yard(['events', id, '--json'], api);
    const types = JSON.parse(events.stdout).items.map((e: { type: string }) => e.type);
    expect(types.indexOf('JobCreated')).toBeLessThan(types.indexOf('JobQueued'));
    expect(types.indexOf('JobQueued')).toBeLessThan(types.indexOf('JobStarted'));
    expect(types.indexOf('JobStarted')).toBeLessThan(types.indexOf('JobSucceeded'));
    expect(types.filter((t: string) => t === 'TaskExited')).toHaveLength(2);

    const logs = await yard(['logs', id, '--task', 'worker-1'], api);
    expect(logs.stdout).toContain('rank=1 world=2');
  });

  it('rejects an invalid job with the field paths and a non-zero exit', async () => {
    const bad = join(dataDir, 'bad.json');
    require('node:fs').writeFileSync(bad, JSON.stringify({ kind: 'job', metadata: { name: 'bad name!' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 64 } }, priority: 4 } }));
    const r = await yard(['submit', bad], api);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('VALIDATION_FAILED');
    expect(r.stderr).toContain('metadata.name');
    expect(r.stderr).toContain('spec.priority');
  });

  it('kills the API (and its projector) mid-run; after a restart the tables equal a rebuild from the log', async () => {
    const spec = join(dataDir, 'chatty.json');
    require('node:fs').writeFileSync(spec, JSON.stringify({
      kind: 'job', metadata: { name: 'chatty' },
      algorithm: { command: 'for i in $(seq 1 30); do echo "step $i"; sleep 0.1; done' },
      spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 }, nodeCount: 2 } },
    }));
    const id = JSON.parse((await yard(['submit', spec, '--json'], api)).stdout).id;
    expect((await yard(['wait', id, '--for', 'running', '--timeout', '30'], api)).code).toBe(0);

    await services.get('api')!.kill();
    // While the API is down the job goes on: its events pile up in the log, unprojected.
    await new Promise((r) => setTimeout(r, 1_500));
    await start('api', 'api');

    expect((await yard(['wait', id, '--for', 'completed', '--timeout', '60'], api)).code).toBe(0);
    const verify = await yard(['admin', 'rebuild', '--verify', '--json'], api);
    expect(JSON.parse(verify.stdout)).toMatchObject({ equal: true, differences: [] });
    expect(verify.code).toBe(0);
    const logs = await yard(['logs', id, '--task', 'worker-0', '--json'], api);
    expect(JSON.parse(logs.stdout).items.map((l: { text: string }) => l.text)).toEqual(Array.from({ length: 30 }, (_, i) => `step ${i + 1}`));
  });
});
