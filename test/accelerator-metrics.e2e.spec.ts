import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PREFLIGHT } from '../apps/node-agent/src/preflight/preflight-settings';
import { eventOf, events, FAST_FAULTS, logLines, submit } from './support/fault-injection';
import { shellJob } from './support/specs';
import { eventually } from './support/eventually';
import { samples } from './support/prometheus';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const FAKES = resolve(__dirname, 'fixtures/fake-smi');



/**
 * GPU samples end to end on a node whose `nvidia-smi` is the fake (a copy of fixtures/fake-smi/
 * gpu-healthy: two A100s, 40321 + 1024 MiB used of 81920 each; its utilisation is the `util` file the
 * test writes). The agent samples every 200 ms; the guide's 30-minute hang window is scaled to 1.8 s.
 */
describe('accelerator metrics - GPU utilisation and memory from nvidia-smi reach /metrics, the job series and the hang detector', () => {
  let t: TestCluster;
  let fake: string;
  const setUtil = (u: string) => writeFile(join(fake, 'util'), u);

  beforeAll(async () => {
    fake = await mkdtemp(join(tmpdir(), 'ty-fake-gpu-'));
    await cp(join(FAKES, 'gpu-healthy'), fake, { recursive: true });
    await cp(join(FAKES, 'util.sh'), join(fake, 'util.sh'));
    await setUtil('55');
    t = await startTestCluster({
      faultManager: FAST_FAULTS,
      resourceSampleMs: 200,
      agents: [
        {
          nodeId: 'gpu-node',
          capacity: { cpu: 2, memoryMiB: 2048, gpu: 2, npu: 0 },
          heartbeatMs: 500,
          stopGraceMs: 1_000,
          // The sampler finds nvidia-smi on the pre-check's tool path; the pre-check itself is not under test.
          preflight: { ...DEFAULT_PREFLIGHT, enabled: false, toolPath: `${fake}:${process.env.PATH}` },
        },
      ],
    });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    if (fake) await rm(fake, { recursive: true, force: true });
  });

  const gpuJob = (name: string, script: string) => {
    const spec = shellJob(name, script);
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, gpu: 1 };
    return spec;
  };

  it('metrics - /metrics and the job metric series carry ma_container_gpu_util, _gpu_mem_util and _gpu_mem_used_megabytes', async () => {
    await setUtil('55');
    const id = await submit(t.api, gpuJob('gpu-busy', 'echo start; sleep 30'));
    await t.api.waitFor(id, 'running');
    const text = await eventually(async () => {
      const body = await (await fetch(`${t.api.url}/metrics`, { headers: t.api.auth })).text();
      return samples(body, 'ma_container_gpu_util', { job_id: id }).length ? body : undefined;
    }, 20_000);
    // The only task asking for GPUs on the node, and nvidia-smi lists no pid of it: the node's two cards.
    expect(samples(text, 'ma_container_gpu_util', { job_id: id, task: 'worker-0', node_id: 'gpu-node' })).toEqual([55]);
    expect(samples(text, 'ma_container_gpu_mem_used_megabytes', { job_id: id })).toEqual([41345]);
    expect(samples(text, 'ma_container_gpu_mem_util', { job_id: id })).toEqual([25.235]);
    expect(samples(text, 'ma_container_npu_ai_core_util', { job_id: id })).toEqual([]);

    const series = await eventually(async () => {
      const r = await t.api.call('GET', `/v1/training-jobs/${id}/metrics?window=15m`);
      return r.body.series?.some((s: any) => s.metric === 'ma_container_gpu_util' && s.points.length >= 2) ? r.body : undefined;
    }, 20_000);
    const util = series.series.find((s: any) => s.metric === 'ma_container_gpu_util');
    expect(util).toMatchObject({ unit: 'Percent', task: 'worker-0' });
    expect(util.points.every((p: [string, number]) => p[1] === 55)).toBe(true);
    expect(series.series.find((s: any) => s.metric === 'ma_container_gpu_mem_used_megabytes')).toMatchObject({ unit: 'Megabytes' });
    // Gone before the next test: two tasks asking for GPUs with no pid listed would get no card each.
    await t.api.call('POST', `/v1/training-jobs/${id}/stop`);
    await t.api.waitFor(id, 'terminated', 30_000);
  });

  it('hang - a silent task whose GPU utilisation moves is not suspected hung; with flat utilisation it is', async () => {
    // Silent for about three windows, then done: with moving utilisation the whole run passes unsuspected.
    // (Missing utilisation counts as flat, so this also shows the samples carried it.)
    await setUtil('moving');
    const moving = await submit(t.api, gpuJob('gpu-moving', 'echo start; sleep 6; echo done'));
    await t.api.waitFor(moving, 'completed', 60_000);
    expect(await logLines(t.api, moving, 'worker-0', 1, /done/)).toContain('start');
    expect((await events(t.api, moving)).map((e) => e.type)).not.toContain('JobSuspectedHang');

    // The same silence on a flat card is a hang.
    await setUtil('40');
    const flat = await submit(t.api, gpuJob('gpu-flat', 'echo start; sleep 60; echo done'));
    const hang = await eventOf(t.api, flat, (e) => e.type === 'JobSuspectedHang', 60_000);
    expect(hang.data.evidence).toMatchObject({ rule: 'single-instance', windowMs: 1800 });
    expect(hang.data.evidence.tasks[0]).toMatchObject({ task: 'worker-0', logSilent: true, utilVariance: 0, utilMedian: 40 });
    await t.api.call('POST', `/v1/training-jobs/${flat}/stop`);
  });
});
