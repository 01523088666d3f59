import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcessCluster, type ProcessCluster } from './support/process-cluster';
import { shellJob } from './support/specs';
import { ApiClient } from './support/test-cluster';

/**
 * High availability of the scheduler (decision 7): two replicas as their own processes elect a
 * leader through the `TY_LEADER` KV bucket. The leader is SIGKILLed mid-run; the standby, warm on
 * the log, takes over, keeps every job's place in the queue and places nothing twice.
 */
describe('scheduler failover - two replicas, the leader is killed', () => {
  let c: ProcessCluster;
  let api: ApiClient;
  const services = () => c.services;

  beforeAll(async () => {
    c = await startProcessCluster({ TY_SCHEDULER_LEASE_TTL_MS: '1500', TY_SCHEDULER_TICK_MS: '200' });
    api = new ApiClient(c.apiUrl);
    await c.start('api', 'api');
    await c.start('log-router', 'log-router');
    await c.start('scheduler-a', 'scheduler', { TY_SCHEDULER_ID: 'sched-a' });
    await c.start('scheduler-b', 'scheduler', { TY_SCHEDULER_ID: 'sched-b' });
    for (const id of ['node-1', 'node-2']) await c.startAgent(id);
    // Building dist/ and starting six processes takes a while on a loaded 2-core machine.
  }, 180_000);

  afterAll(async () => {
    await c?.stop();
  });

  const submit = async (name: string, seconds: number) => {
    const spec = shellJob(name, `sleep ${seconds}`, 2);
    spec.spec.resource.flavor = { cpu: 2, memoryMiB: 128 };
    // While no replica leads (the old lease ages out), the API answers 503: a client retries.
    for (let i = 0; ; i++) {
      const r = await api.call('POST', '/v1/training-jobs', spec);
      if (r.status === 201) return r.body.id as string;
      if (r.status !== 503 || i > 100) throw new Error(`submit ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  };

  it('failover - the standby takes over after a SIGKILL of the leader: queue kept, nothing placed twice', async () => {
    const [a, b] = [services().get('scheduler-a')!, services().get('scheduler-b')!];
    expect(a.output()).toContain('sched-a, leader');
    expect(b.output()).toContain('sched-b, standby');

    const first = await submit('first', 2);
    await api.waitFor(first, 'running');
    const second = await submit('second', 0.5);
    const third = await submit('third', 0.5);

    await a.kill();
    const fourth = await submit('fourth', 0.5);
    expect(b.output()).toContain('sched-b: leader (lease acquired)');

    for (const id of [first, second, third, fourth]) await api.waitFor(id, 'completed', 60_000);
    const jobs = await Promise.all([first, second, third, fourth].map(async (id) => (await api.call('GET', `/v1/training-jobs/${id}`)).body));
    const order = [...jobs].sort((x, y) => x.startedAt.localeCompare(y.startedAt)).map((j) => j.id);
    expect(order).toEqual([first, second, third, fourth]);
    for (const j of jobs) {
      expect(j.attempt).toBe(1);
      const types = (await api.call('GET', `/v1/training-jobs/${j.id}/events`)).body.items.map((e: { type: string }) => e.type);
      expect(types.filter((x: string) => x === 'JobScheduled')).toHaveLength(1);
      expect(types.filter((x: string) => x === 'TaskStarted')).toHaveLength(2);
    }
    const verify = await api.call('POST', '/v1/admin/projections/verify');
    expect(verify.body).toMatchObject({ equal: true });
  });
});
