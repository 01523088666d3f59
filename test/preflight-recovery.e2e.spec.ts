import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preflightSettings } from '../apps/node-agent/src/preflight/preflight-settings';
import { eventOf, events, FAST_FAULTS, submit, withFaultTolerance } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const FAKES = resolve(__dirname, 'fixtures/fake-smi');

/**
 * The guide's scenario 1 (ch12 §2.2, L7539-7540): the pre-check fails on faulty hardware → the node is
 * isolated and the job re-dispatched elsewhere. node-2's `nvidia-smi` (a fixture) reports
 * uncorrectable ECC errors on a card; node-1's reports healthy cards. Disk thresholds are lowered so
 * only the GPU decides.
 */
describe('preflight recovery - a broken GPU fails the pre-check: the node is isolated, the job runs on another', () => {
  let t: TestCluster;
  const node = (nodeId: string, fakes: string) => ({
    nodeId,
    capacity: { cpu: 2, memoryMiB: 2048, gpu: 2, npu: 0 },
    heartbeatMs: 500,
    stopGraceMs: 1_000,
    preflight: preflightSettings({}, { toolPath: `${resolve(FAKES, fakes)}:/usr/bin:/bin`, rootMinFreeBytes: 0, shmMinFreeBytes: 0, cacheMinFreeBytes: 0 }),
  });
  beforeAll(async () => {
    t = await startTestCluster({ faultManager: FAST_FAULTS, agents: [node('node-1', 'gpu-healthy'), node('node-2', 'gpu-ecc')] });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('scenario 1: W02 names gpu-check as a hardware fault, node-2 is isolated (hardware-fault), the job completes on node-1', async () => {
    const spec = shellJob('needs-gpu', 'echo "schedule=$MA_SCHEDULE_CNT"', 1, {
      nodeAffinity: [{ type: 'affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': 'node-2' } }],
    });
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, gpu: 1 };
    const id = await submit(t.api, withFaultTolerance(spec, { 'fault-tolerance/job-retry-num': '3' }));

    const abnormal = await eventOf(t.api, id, (e) => e.type === 'TaskPrecheckAbnormal' || e.type === 'TaskPrecheckError');
    expect(abnormal.data).toMatchObject({ nodeId: 'node-2', item: 'gpu-check', hardware: true });
    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'succeeded', nodeId: 'node-1', attempt: 2 });

    const evs = await events(t.api, id);
    expect(evs.find((e) => e.type === 'TaskExited').data).toMatchObject({ reason: 'precheck-failed', nodeId: 'node-2' });
    expect(evs.find((e) => e.type === 'RecoveryDecided').data).toMatchObject({
      rule: 'preflight-isolate', action: 'reschedule-job', isolate: ['node-2'], restarts: { current: 1, max: 3 },
      fault: { kind: 'preflight-hardware', code: 'gpu-check', nodeId: 'node-2', hardware: true },
    });
    expect(evs.filter((e) => e.type === 'TaskPrecheckCompleted').map((e) => e.data.nodeId)).toEqual(['node-1']);

    const nodes = (await t.api.call('GET', '/v1/nodes')).body.items;
    expect(nodes.find((n: any) => n.id === 'node-2')).toMatchObject({ availability: 'isolated', isolation: { reason: 'hardware-fault', by: 'fault-manager' } });
    expect(nodes.find((n: any) => n.id === 'node-1').availability).toBeNull();

    // A hardware isolation waits for an operator: uncordon returns the node.
    const back = await t.api.call('POST', '/v1/nodes/node-2/uncordon', { reason: 'card replaced' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ id: 'node-2', availability: null });
  });

  it('operators cordon and drain through the API; a drained node\'s task is recovered elsewhere', async () => {
    const cordoned = await t.api.call('POST', '/v1/nodes/node-1/cordon', { reason: 'maintenance' });
    expect(cordoned.body).toMatchObject({ availability: 'isolated', isolation: { reason: 'operator', by: 'user:admin', detail: 'maintenance' } });
    // Nothing is placed on a cordoned node: the job goes to node-2.
    const script = 'echo "schedule=$MA_SCHEDULE_CNT"; if [ "$MA_SCHEDULE_CNT" = "1" ]; then sleep 60; fi';
    // A CPU job: no gpu-check, so node-2's broken card does not matter here.
    const spec = shellJob('drained', script);
    const id = await submit(t.api, withFaultTolerance(spec, { 'fault-tolerance/job-retry-num': '2' }));
    const started = await eventOf(t.api, id, (e) => e.type === 'TaskStarted');
    expect(started.data.nodeId).toBe('node-2');
    expect((await t.api.call('POST', '/v1/nodes/node-1/uncordon', {})).body.availability).toBeNull();

    const drained = await t.api.call('POST', '/v1/nodes/node-2/drain', { graceMs: 500 });
    expect(drained.body).toMatchObject({ availability: 'draining' });
    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ nodeId: 'node-1', attempt: 2 });
    const decided = (await events(t.api, id)).find((e) => e.type === 'RecoveryDecided').data;
    expect(decided).toMatchObject({ rule: 'isolating-reschedule', fault: { kind: 'node-drained', nodeId: 'node-2' } });

    expect((await t.api.call('POST', '/v1/nodes/node-9/cordon', {})).status).toBe(404);
    expect((await t.api.call('POST', '/v1/nodes/node-2/explode', {})).status).toBe(400);
  });
});

/**
 * The guide's scenario 2 (ch12 §2.2, L7544-7545): the pre-check fails on healthy hardware → the job is
 * re-dispatched on other nodes, nothing is isolated. node-1's cache-disk threshold cannot be met (an
 * environment failure, not the hardware's); the job prefers node-1, so only the attempt's avoid list
 * (the recovery decision's node) sends it to node-2 instead of failing on node-1 again and again.
 */
describe('preflight recovery - a pre-check failure on healthy hardware re-dispatches the job elsewhere, no isolation', () => {
  let t: TestCluster;
  const node = (nodeId: string, cacheMinFreeBytes: number) => ({
    nodeId,
    capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 },
    heartbeatMs: 500,
    stopGraceMs: 1_000,
    preflight: preflightSettings({}, { toolPath: `${resolve(FAKES, 'gpu-healthy')}:/usr/bin:/bin`, rootMinFreeBytes: 0, shmMinFreeBytes: 0, cacheMinFreeBytes }),
  });
  beforeAll(async () => {
    t = await startTestCluster({ faultManager: FAST_FAULTS, agents: [node('node-1', Number.MAX_SAFE_INTEGER), node('node-2', 0)] });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('scenario 2: preflight-reassign, node-1 stays in service, attempt 2 avoids node-1 and completes on node-2', async () => {
    const spec = shellJob('env-precheck', 'echo "schedule=$MA_SCHEDULE_CNT"', 1, {
      nodeAffinity: [{ type: 'affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': 'node-1' } }],
    });
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128 };
    const id = await submit(t.api, withFaultTolerance(spec, { 'fault-tolerance/job-retry-num': '3' }));

    const abnormal = await eventOf(t.api, id, (e) => e.type === 'TaskPrecheckAbnormal' || e.type === 'TaskPrecheckError');
    expect(abnormal.data).toMatchObject({ nodeId: 'node-1', hardware: false });
    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'succeeded', nodeId: 'node-2', attempt: 2 });

    const evs = await events(t.api, id);
    expect(evs.find((e) => e.type === 'RecoveryDecided').data).toMatchObject({
      rule: 'preflight-reassign', action: 'reschedule-job', isolate: [], fault: { kind: 'preflight-environment', nodeId: 'node-1', hardware: false },
    });
    expect(evs.filter((e) => e.type === 'JobScheduled').map((e) => e.data.placements[0].nodeId)).toEqual(['node-1', 'node-2']);
    const nodes = (await t.api.call('GET', '/v1/nodes')).body.items;
    expect(nodes.find((n: any) => n.id === 'node-1').availability).toBeNull();
  });
});
