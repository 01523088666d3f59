import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { buildOnce, yard } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Scheduling end to end (issue 3): queue order, priority changes, wait reasons, admission, auto stop
 * and preemption on a cluster of two 2-cpu agents. Every job here asks for whole nodes (2 × 2 cpu),
 * so exactly one job runs at a time and the order of starts is the queue order.
 */
describe('scheduling - queue order, priority, wait reasons, auto stop, preemption', () => {
  let t: TestCluster;
  const HOUR_MS = 1_500;

  beforeAll(async () => {
    buildOnce();
    t = await startTestCluster({
      scheduler: {
        heartbeatTimeoutMs: 3_000, stopGraceMs: 2_000, tickMs: 100,
        hourMs: HOUR_MS, minRunMs: 1_000, preemptGraceMs: 1_500, requeueTimeoutMs: 120_000,
        lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 1_500 },
      },
    });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const whole = (name: string, command: string, extra: Record<string, unknown> = {}) => {
    const spec = shellJob(name, command, 2, extra);
    spec.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    return spec;
  };
  const submit = async (spec: unknown) => {
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  };
  const events = async (id: string) => (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
  const job = async (id: string) => (await t.api.call('GET', `/v1/training-jobs/${id}`)).body;

  it('queue order - priority 3, 2, 1, first come first served within a priority; a waiting job says why', async () => {
    const blocker = await submit(whole('blocker', 'sleep 600'));
    await t.api.waitFor(blocker, 'running');
    const a = await submit(whole('a-p1', 'sleep 0.2'));
    const b = await submit(whole('b-p2', 'sleep 0.2', { priority: 2 }));
    const c = await submit(whole('c-p1', 'sleep 0.2'));
    const d = await submit(whole('d-p3', 'sleep 0.2', { priority: 3 }));

    // Nothing fits while the blocker runs: each waiting job carries one typed reason with numbers.
    const head = await eventually(async () => ((await job(d)).waitReason ? job(d) : undefined));
    expect(head.waitReason.code).toMatch(/INSUFFICIENT_RESOURCES|HOLDING_RESERVATION/);
    expect(head.waitReason.position).toBe(1);
    const tail = await eventually(async () => ((await job(c)).waitReason ? job(c) : undefined));
    expect(tail.waitReason.position).toBeGreaterThan(1);
    expect((await events(d)).filter((e) => e.type === 'JobWaiting')).toHaveLength(1);

    await t.api.call('POST', `/v1/training-jobs/${blocker}/stop`);
    for (const id of [a, b, c, d]) await t.api.waitFor(id, 'completed', 60_000);
    const started = await Promise.all([a, b, c, d].map(async (id) => ({ id, at: (await job(id)).startedAt as string })));
    expect(started.sort((x, y) => x.at.localeCompare(y.at)).map((s) => s.id)).toEqual([d, b, a, c]);
    // Placed: the reason is gone.
    expect((await job(d)).waitReason).toBeNull();
  });

  it('priority change - only while waiting and not dispatched, every change an event', async () => {
    const blocker = await submit(whole('blocker-2', 'sleep 600'));
    await t.api.waitFor(blocker, 'running');
    const w = await submit(whole('waiter', 'sleep 0.2'));
    const changed = await t.api.call('POST', `/v1/training-jobs/${w}/priority`, { priority: 2 });
    expect(changed.status).toBe(200);
    expect(changed.body.priority).toBe(2);
    const viaCli = await yard(['priority', w, '3'], t.api.url);
    expect(viaCli.stdout).toBe(`Job ${w} now has priority 3; state: waiting\n`);
    const described = await yard(['describe', w], t.api.url);
    expect(described.stdout).toMatch(/Waiting:\s+\S+ \(position 1/);
    const bad = await t.api.call('POST', `/v1/training-jobs/${w}/priority`, { priority: 7 });
    expect(bad.status).toBe(400);
    const running = await t.api.call('POST', `/v1/training-jobs/${blocker}/priority`, { priority: 2 });
    expect(running.status).toBe(409);
    expect(running.body.error.code).toBe('ILLEGAL_STATE');
    const changes = (await events(w)).filter((e) => e.type === 'JobPriorityChanged');
    expect(changes.map((e) => e.data)).toEqual([{ from: 1, to: 2, by: 'user:admin' }, { from: 2, to: 3, by: 'user:admin' }]);
    expect(changes[0].message).toBe('Training job priority changed from 1 to 2');
    await t.api.call('POST', `/v1/training-jobs/${blocker}/stop`);
    await t.api.waitFor(w, 'completed', 60_000);
  });

  it('admission - a job that can never fit is refused at submit with the reason, and nothing is appended', async () => {
    const before = await t.cluster.eventLog.lastSeq();
    const huge = shellJob('huge', 'true', 1);
    huge.spec.resource.flavor = { cpu: 64, memoryMiB: 256 };
    const r = await t.api.call('POST', '/v1/training-jobs', huge);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.message).toContain('never fit');
    expect(r.body.error.details[0].path).toBe('spec.resource');
    expect(await t.cluster.eventLog.lastSeq()).toBe(before);
  });

  it('auto stop - a job is terminated at spec.maxRunHours of running time, with the guide event', async () => {
    const id = await submit(whole('limited', 'sleep 600', { maxRunHours: 1 }));
    const running = await t.api.waitFor(id, 'running');
    const ended = await t.api.waitFor(id, 'terminated', 30_000);
    expect(ended.reason).toBe('max-run-time');
    expect(Date.parse(ended.endedAt) - Date.parse(running.startedAt)).toBeGreaterThanOrEqual(HOUR_MS);
    const last = (await events(id)).at(-1);
    expect(last).toMatchObject({ type: 'JobTerminated', data: { reason: 'max-run-time', maxRunHours: 1 }, messageZh: '训练作业已被终止（最大运行时长：1 h）' });
  });

  it('preemption - a higher-priority job preempts a preemptible one: SIGTERM to every rank, re-queue at first priority, run again later', async () => {
    const notice = `trap 'echo "rank $VC_TASK_INDEX got SIGTERM"; exit 143' TERM; echo up; while true; do sleep 0.1; done`;
    const low = await submit(whole('low', notice, { preemptible: true }));
    await t.api.waitFor(low, 'running');
    // Past the minimum run time (1 s) the job may be preempted.
    await new Promise((r) => setTimeout(r, 1_200));
    const high = await submit(whole('high', 'sleep 1', { priority: 3 }));

    const requeued = await eventually(async () => {
      const j = await job(low);
      return j.state === 'waiting' && j.requeue === 'preemption' ? j : undefined;
    }, 30_000);
    expect(requeued).toMatchObject({ preemptedBy: high, dispatched: false, attempt: 1 });
    const ev = await events(low);
    const types = ev.map((e) => e.type);
    const preempted = ev.find((e) => e.type === 'JobPreempted');
    expect(preempted).toMatchObject({ data: { by: high, byPriority: 3, attempt: 1 }, messageZh: expect.stringContaining('训练作业被抢占') });
    expect(ev.filter((e) => e.type === 'TaskExited' && e.data.attempt === 1).map((e) => e.data.reason)).toEqual(['stopped', 'stopped']);
    expect(types.lastIndexOf('JobQueued')).toBeGreaterThan(types.indexOf('JobPreempted'));
    expect(ev.findLast((e) => e.type === 'JobQueued').data).toEqual({ priority: 1, requeue: 'preemption' });

    // Every rank got the notice (SIGTERM) and exited from its handler (143), within the grace period.
    expect(ev.filter((e) => e.type === 'TaskExited' && e.data.attempt === 1).map((e) => [e.task, e.data.exitCode])).toEqual(
      expect.arrayContaining([['worker-0', 143], ['worker-1', 143]]),
    );

    // The preemptor runs on the freed nodes; then the victim runs again (attempt 2).
    await t.api.waitFor(high, 'completed', 30_000);
    const again = await t.api.waitFor(low, 'running', 30_000);
    expect(again.attempt).toBe(2);
    await t.api.call('POST', `/v1/training-jobs/${low}/stop`);
    await t.api.waitFor(low, 'terminated', 30_000);
  });

  it('pools - each pool with its nodes, capacity, used and free', async () => {
    const pools = (await t.api.call('GET', '/v1/pools')).body.items;
    expect(pools).toEqual([
      expect.objectContaining({ name: 'default', nodes: ['node-1', 'node-2'], readyNodes: 2, capacity: expect.objectContaining({ cpu: 4, memoryMiB: 4096 }) }),
    ]);
    expect(pools[0].free.cpu + pools[0].used.cpu).toBe(4);
  });

  it('wait reasons - a burst of mixed jobs records a handful of JobWaiting per job, however many passes it waits', async () => {
    // Partial fits come and go with every task that ends: what flooded the log in issue 9.
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const spec = shellJob(`burst-${i}`, `sleep 0.${3 + (i % 5)}`, 1 + (i % 3));
      spec.spec.resource.flavor = { cpu: [0.25, 0.5, 0.75, 1][i % 4], memoryMiB: 64 };
      ids.push(await submit(spec));
    }
    for (const id of ids) await t.api.waitFor(id, 'completed', 180_000);
    const waits = await Promise.all(ids.map(async (id) => (await events(id)).filter((e) => e.type === 'JobWaiting').length));
    const max = Math.max(...waits);
    console.log(`wait reasons: 40 queued jobs, JobWaiting per job max ${max}, total ${waits.reduce((a, b) => a + b, 0)}`);
    expect(max).toBeLessThanOrEqual(5);
  }, 240_000);
});
