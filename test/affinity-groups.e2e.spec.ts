import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, yard } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

const SUPERNODE = 'trainyard.io/supernode';

/**
 * Supernode affinity groups, node affinity and the re-queue wait limit on four agents labelled with
 * two supernodes (`TY_NODE_LABELS=trainyard.io/supernode=sn-a`), two nodes each.
 */
describe('affinity groups - several agents labelled with supernodes', () => {
  let t: TestCluster;
  const agent = (nodeId: string, supernode: string, zone: string) => ({
    nodeId, capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 2_000,
    labels: { [SUPERNODE]: supernode, zone },
  });

  beforeAll(async () => {
    buildOnce();
    t = await startTestCluster({
      agents: [agent('a1', 'sn-a', 'x'), agent('a2', 'sn-a', 'y'), agent('b1', 'sn-b', 'x'), agent('b2', 'sn-b', 'y')],
      scheduler: {
        heartbeatTimeoutMs: 3_000, stopGraceMs: 2_000, tickMs: 100,
        minRunMs: 500, preemptGraceMs: 1_000, requeueTimeoutMs: 2_000,
        lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 1_500 },
      },
    });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const submit = async (spec: unknown) => {
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  };
  const supernodeOf = (nodeId: string) => nodeId.slice(0, 1);

  it('affinity groups - every n consecutive instances share one supernode, one whole node each', async () => {
    const spec = shellJob('grouped', 'sleep 0.3', 4, {});
    spec.spec.resource.affinityGroupSize = 2;
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128 };
    const id = await submit(spec);
    const done = await t.api.waitFor(id, 'completed', 30_000);
    const nodes: string[] = done.tasks.map((x: any) => x.nodeId);
    expect(new Set(nodes).size).toBe(4);
    expect(supernodeOf(nodes[0])).toBe(supernodeOf(nodes[1]));
    expect(supernodeOf(nodes[2])).toBe(supernodeOf(nodes[3]));
    expect(supernodeOf(nodes[0])).not.toBe(supernodeOf(nodes[2]));
  });

  it('affinity groups - more groups than the supernodes hold are refused at submit', async () => {
    const spec = shellJob('too-grouped', 'true', 6, {});
    spec.spec.resource.affinityGroupSize = 3;
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('never fit');
  });

  it('node affinity - a required rule keeps every instance on matching nodes', async () => {
    const spec = shellJob('zoned', 'true', 2, { nodeAffinity: [{ type: 'affinity', strength: 'required', labels: { zone: 'y' } }] });
    const id = await submit(spec);
    const done = await t.api.waitFor(id, 'completed', 30_000);
    for (const x of done.tasks) expect(['a2', 'b2']).toContain(x.nodeId);
  });

  it('re-queue limit - a preempted job that finds no room fails after the wait limit, with the reason', async () => {
    const whole = (name: string, command: string, extra: Record<string, unknown>) => {
      const s = shellJob(name, command, 4, extra);
      s.spec.resource.flavor = { cpu: 2, memoryMiB: 128 };
      return s;
    };
    const low = await submit(whole('victim', 'sleep 600', { preemptible: true }));
    await t.api.waitFor(low, 'running');
    await new Promise((r) => setTimeout(r, 700));
    const high = await submit(whole('hog', 'sleep 600', { priority: 2 }));
    await t.api.waitFor(high, 'running', 30_000);
    const failed = await t.api.waitFor(low, 'failed', 30_000).catch(async () => (await t.api.call('GET', `/v1/training-jobs/${low}`)).body);
    expect(failed).toMatchObject({ state: 'failed', reason: 'requeue-timeout' });
    const last = (await t.api.call('GET', `/v1/training-jobs/${low}/events`)).body.items.at(-1);
    expect(last).toMatchObject({ type: 'JobFailed', data: { reason: 'requeue-timeout' } });
    expect(last.message).toContain('re-queued after preemption');
    await t.api.call('POST', `/v1/training-jobs/${high}/stop`);
    await t.api.waitFor(high, 'terminated', 30_000);
  });

  it('pools and nodes - the CLI shows the supernodes and every label', async () => {
    const pools = await yard(['pools'], t.api.url);
    expect(pools.code).toBe(0);
    expect(pools.stdout).toMatch(/default\s+4\/4/);
    expect(pools.stdout).toContain('sn-a(2),sn-b(2)');
    const nodes = await yard(['nodes'], t.api.url);
    const a1 = nodes.stdout.split('\n').find((l) => l.startsWith('a1 '))!;
    expect(a1).toContain(`${SUPERNODE}=sn-a`);
    expect(a1).toContain('zone=x');
  });
});
