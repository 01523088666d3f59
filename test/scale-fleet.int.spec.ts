import { Subjects } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../bench/scale-fleet';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * The simulated fleet of bench:scale (issue 19) against the real control plane and NATS: its agents
 * register, take assignments and report starts and exits as real agents do, so jobs end as their
 * fake commands say.
 */
describe('simulated fleet', () => {
  let t: TestCluster;
  let fleet: Fleet;
  beforeAll(async () => {
    t = await startTestCluster({ agents: [] });
    fleet = await startFleet({ natsUrl: t.nats.url, dataDir: `${t.dataDir}/fleet`, agents: 30, agentsPerConnection: 10, heartbeatMs: 500 });
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    await t?.[Symbol.asyncDispose]();
  });

  const submit = async (name: string, command: string, nodeCount = 1) => {
    const res = await t.api.call('POST', '/v1/training-jobs', { kind: 'job', metadata: { name }, algorithm: { command }, spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 }, nodeCount } } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('runs one-task jobs and a gang to completion, and a failing fake task fails its job', async () => {
    const ok = await Promise.all([0, 1, 2].map((i) => submit(`sim-ok-${i}`, 'fake run=100')));
    const gang = await submit('sim-gang', 'fake run=100', 8);
    const bad = await submit('sim-bad', 'fake run=10 exit=3');
    for (const id of [...ok, gang]) await t.api.waitFor(id, 'completed', 30_000);
    await t.api.waitFor(bad, 'failed', 30_000);

    const { commits } = await t.cluster.eventLog.read(Subjects.job(gang));
    const started = commits.flatMap((c) => c.events).filter((e) => e.type === 'TaskStarted').map((e) => e.data as { task: string; nodeId: string });
    expect(new Set(started.map((s) => s.task)).size).toBe(8);
    expect(started.every((s) => s.nodeId.startsWith('sim-'))).toBe(true);
    expect(fleet.launched()).toBe(3 + 8 + 1);
  });
});
