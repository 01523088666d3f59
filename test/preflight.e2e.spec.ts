import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightSettings } from '../apps/node-agent/src/preflight/preflight-settings';
import { eventually } from './support/eventually';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const FAKES = resolve(__dirname, 'fixtures/fake-smi');
const tools = (fake: string) => `${resolve(FAKES, fake)}:${process.env.PATH}`;
/** Thresholds any test machine passes, unless a node is meant to fail them. */
const small = { rootMinFreeBytes: 2 ** 20, shmMinFreeBytes: 2 ** 20, cacheMinFreeBytes: 2 ** 20, infiniband: false };

/**
 * The guide's pre-check end to end (ch12-13 §2.5): four GPU nodes, each playing one machine through a
 * fake `nvidia-smi` on its tool path, and one node whose cache disk is "too small". Jobs are pinned to
 * a node by required affinity on its id.
 */
describe('preflight - the guide pre-check before every task, its events and a classified failure', () => {
  let t: TestCluster;
  const gpuNode = (nodeId: string, fake: string, extra: Partial<ReturnType<typeof preflightSettings>> = {}) => ({
    nodeId,
    capacity: { cpu: 2, memoryMiB: 2048, gpu: 2, npu: 0 },
    heartbeatMs: 500,
    stopGraceMs: 2_000,
    preflight: preflightSettings({}, { ...small, toolPath: tools(fake), ...extra }),
  });

  beforeAll(async () => {
    t = await startTestCluster({
      agents: [
        gpuNode('gpu-ok', 'gpu-healthy'),
        gpuNode('gpu-ecc', 'gpu-ecc'),
        gpuNode('gpu-lost', 'gpu-lost'),
        gpuNode('small-disk', 'gpu-healthy', { cacheMinFreeBytes: 2 ** 60 }),
        { ...gpuNode('npu-ok', 'npu-healthy'), capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 2 } },
        { ...gpuNode('npu-alarm', 'npu-alarm'), capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 2 } },
      ],
    });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const on = (nodeId: string, name: string, command: string, gpu = 1, environments?: Record<string, string>) => {
    const spec = shellJob(name, command, 1, { nodeAffinity: [{ type: 'affinity', strength: 'required', labels: { 'trainyard.io/node-id': nodeId } }] });
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, gpu };
    if (environments) spec.algorithm.environments = environments;
    return spec;
  };
  const run = async (spec: unknown, state: string) => {
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    expect(r.status).toBe(201);
    await t.api.waitFor(r.body.id, state);
    return r.body.id as string;
  };
  const events = async (id: string) => (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
  const logs = (id: string) =>
    eventually(async () => {
      const items = (await t.api.call('GET', `/v1/training-jobs/${id}/tasks/worker-0/logs`)).body.items as any[];
      return items.length ? items.map((l) => l.text as string) : undefined;
    });

  it('healthy cards pass: W01 with the elapsed seconds and every item, then the task runs', async () => {
    const id = await run(on('gpu-ok', 'healthy', 'echo trained'), 'completed');
    const ev = await events(id);
    const types = ev.map((e) => e.type);
    expect(types.indexOf('TaskPrecheckCompleted')).toBeGreaterThan(types.indexOf('JobScheduled'));
    expect(types.indexOf('TaskPrecheckCompleted')).toBeLessThan(types.indexOf('TaskStarted'));
    const w01 = ev.find((e) => e.type === 'TaskPrecheckCompleted');
    expect(w01.message).toMatch(/^\[worker-0\] \[elapsed: [\d.]+ s\] Environment pre-check initialisation completed$/);
    expect(w01.messageZh).toMatch(/^\[worker-0\] \[耗时：[\d.]+ 秒\] 初始化环境预检完成$/);
    expect(w01.data.items.map((i: any) => [i.item, i.outcome])).toEqual([
      ['dns', 'passed'], ['disk-size root', 'passed'], ['disk-size shm', 'passed'], ['disk-size cache', 'passed'], ['gpu-check', 'passed'],
    ]);
    // A passed pre-check leaves the log to the script.
    expect(await logs(id)).toEqual(['trained']);
  });

  it('uncorrectable ECC errors fail the pre-check as a hardware fault: W02, no start, exit precheck-failed, the job fails', async () => {
    const id = await run(on('gpu-ecc', 'ecc', 'echo never'), 'failed');
    const ev = await events(id);
    const types = ev.map((e) => e.type);
    expect(types).not.toContain('TaskStarted');
    const w02 = ev.find((e) => e.type === 'TaskPrecheckAbnormal');
    expect(w02.data).toMatchObject({ task: 'worker-0', nodeId: 'gpu-ecc', item: 'gpu-check', hardware: true, detail: 'GPU 1 (00000000:86:00.0): 3 uncorrectable ECC error(s)' });
    expect(w02.message).toMatch(/^\[worker-0\] \[elapsed: [\d.]+ s\] Pre-check item failed, abnormal: item gpu-check: GPU 1 .* \(hardware fault\)$/);
    expect(w02.messageZh).toMatch(/检测项预检未通过，异常：item gpu-check: .*（硬件故障）$/);
    const exit = ev.find((e) => e.type === 'TaskExited');
    expect(exit.data).toMatchObject({ reason: 'precheck-failed', exitCode: null });
    expect(exit.data.error).toMatch(/^pre-check failed \(hardware fault\): item gpu-check: /);
    expect(ev.find((e) => e.type === 'JobFailed').data).toMatchObject({ reason: 'precheck-failed', task: 'worker-0' });
    const lines = await logs(id);
    expect(lines).toContain('[pre-check] item gpu-check failed, abnormal: GPU 1 (00000000:86:00.0): 3 uncorrectable ECC error(s) (hardware fault)');
    expect(lines.at(-1)).toMatch(/^\[pre-check\] \[elapsed: [\d.]+ s\] pre-check failed \(hardware fault\)$/);
    expect(lines).not.toContain('never');
  });

  it('a GPU that fell off the bus (nvidia-smi fails) is a hardware fault too', async () => {
    const id = await run(on('gpu-lost', 'lost', 'echo never'), 'failed');
    const w02 = (await events(id)).find((e) => e.type === 'TaskPrecheckAbnormal');
    expect(w02.data).toMatchObject({ item: 'gpu-check', hardware: true });
    expect(w02.data.detail).toMatch(/^nvidia-smi exited 15: Unable to determine the device handle/);
  });

  it('NPU tasks go through npu-smi: healthy cards pass, a card in Alarm health fails as a hardware fault', async () => {
    const npu = (nodeId: string, name: string) => {
      const spec = on(nodeId, name, 'echo on npu', 0);
      spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, npu: 1 };
      return spec;
    };
    const ok = await run(npu('npu-ok', 'npu-fine'), 'completed');
    const w01 = (await events(ok)).find((e) => e.type === 'TaskPrecheckCompleted');
    expect(w01.data.items.find((i: any) => i.item === 'npu-check')).toMatchObject({ outcome: 'passed', detail: '2 NPU(s) healthy (OK)' });
    const bad = await run(npu('npu-alarm', 'npu-bad'), 'failed');
    const w02 = (await events(bad)).find((e) => e.type === 'TaskPrecheckAbnormal');
    expect(w02.data).toMatchObject({ item: 'npu-check', hardware: true, detail: 'NPU 1 (910B3): health Alarm' });
  });

  it('a cache disk below the threshold fails as not a hardware fault; MA_SKIP_IMAGE_DETECT=0 turns the pre-check off', async () => {
    const id = await run(on('small-disk', 'small', 'echo never', 0), 'failed');
    const ev = await events(id);
    const w02 = ev.filter((e) => e.type === 'TaskPrecheckAbnormal');
    expect(w02.map((e) => [e.data.item, e.data.hardware])).toEqual([['disk-size cache', false]]);
    expect(w02[0].data.detail).toMatch(/has [\d.]+ GiB free, needs > 1073741824\.0 GiB$/);
    expect(ev.find((e) => e.type === 'TaskExited').data.error).toMatch(/^pre-check failed \(not a hardware fault\): item disk-size cache: /);

    const skipped = await run(on('small-disk', 'unchecked', 'echo ran anyway', 0, { MA_SKIP_IMAGE_DETECT: '0' }), 'completed');
    const types = (await events(skipped)).map((e) => e.type);
    expect(types.filter((x) => x.startsWith('TaskPrecheck'))).toEqual([]);
    expect(await logs(skipped)).toEqual(['ran anyway']);
  });
});
