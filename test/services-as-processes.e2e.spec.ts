import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessCluster, type ProcessCluster } from './support/process-cluster';
import { yard } from './support/processes';

/**
 * The deployment shape of the architecture page: every service its own process, PostgreSQL shared,
 * driven through the `yard` CLI. Crashes are SIGKILLs.
 */
describe('services as processes - the CLI drives a cluster that survives a crashed API', () => {
  let c: ProcessCluster;
  let api: string;
  let dataDir: string;

  beforeAll(async () => {
    c = await startProcessCluster();
    api = c.apiUrl;
    dataDir = c.dataDir;
    await c.start('api', 'api');
    await c.start('log-router', 'log-router');
    await c.start('scheduler', 'scheduler');
    for (const id of ['node-1', 'node-2']) await c.startAgent(id);
    // Building dist/ and starting six processes takes a while on a loaded 2-core machine.
  }, 180_000);

  afterAll(async () => {
    await c?.stop();
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

    await c.services.get('api')!.kill();
    // While the API is down the job goes on: its events pile up in the log, unprojected.
    await new Promise((r) => setTimeout(r, 1_500));
    await c.start('api', 'api');

    expect((await yard(['wait', id, '--for', 'completed', '--timeout', '60'], api)).code).toBe(0);
    const verify = await yard(['admin', 'rebuild', '--verify', '--json'], api);
    expect(JSON.parse(verify.stdout)).toMatchObject({ equal: true, differences: [] });
    expect(verify.code).toBe(0);
    const logs = await yard(['logs', id, '--task', 'worker-0', '--json'], api);
    expect(JSON.parse(logs.stdout).items.map((l: { text: string }) => l.text)).toEqual(Array.from({ length: 30 }, (_, i) => `step ${i + 1}`));
  });
});
