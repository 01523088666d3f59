import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { exampleSpec, shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

describe('walking skeleton - a job from the API to finished workers', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('runs the hello example on two workers to completion, with the guide events in order and every rank logged', async () => {
    const submitted = await t.api.call('POST', '/v1/training-jobs', exampleSpec('hello'));
    expect(submitted.status).toBe(201);
    const id = submitted.body.id;
    expect(submitted.body.state).toBe('waiting');

    const done = await t.api.waitFor(id, 'completed');
    expect(done.tasks.map((x: any) => [x.name, x.state, x.exitCode])).toEqual([
      ['worker-0', 'succeeded', 0],
      ['worker-1', 'succeeded', 0],
    ]);
    // Two instances of 0.5 cpu on two 2-cpu nodes: best fit packs them, but each has a node.
    expect(done.tasks.every((x: any) => x.nodeId)).toBe(true);

    const events = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
    const types = events.map((e) => e.type);
    const at = (type: string) => types.indexOf(type);
    expect(types.slice(0, 3)).toEqual(['JobCreated', 'JobQueued', 'JobScheduled']);
    expect(at('JobStarted')).toBeGreaterThan(at('JobScheduled'));
    expect(types[types.length - 1]).toBe('JobSucceeded');
    for (const task of ['worker-0', 'worker-1']) {
      const started = events.findIndex((e) => e.type === 'TaskStarted' && e.task === task);
      const exited = events.findIndex((e) => e.type === 'TaskExited' && e.task === task);
      expect(started).toBeGreaterThan(at('JobScheduled'));
      expect(exited).toBeGreaterThan(started);
      expect(events[exited].data.exitCode).toBe(0);
    }
    expect(events[0]).toMatchObject({ message: 'Training job created successfully', messageZh: '训练作业创建成功' });
    expect(events.find((e) => e.type === 'JobQueued').messageZh).toBe('训练作业已排队，正在等待资源分配');

    // Issue 19: once the job is done with them, each attempt is released from its node, which then
    // holds nothing of this job (its state is its live work, not everything it ever ran).
    for (const t0 of done.tasks as any[]) {
      const released = await eventually(async () => {
        const { commits } = await t.cluster.eventLog.read(`ty.ev.node.${t0.nodeId}`);
        const events = commits.flatMap((c) => c.events);
        return events.some((e) => e.type === 'TaskReleased' && (e.data as any).jobId === id && (e.data as any).task === t0.name) ? events : undefined;
      });
      const assigned = released.filter((e) => e.type === 'TaskAssigned' && (e.data as any).jobId === id && (e.data as any).task === t0.name);
      expect(assigned).toHaveLength(1);
    }

    for (const [task, rank] of [['worker-0', 0], ['worker-1', 1]] as const) {
      const logs = await eventually(async () => {
        const r = await t.api.call('GET', `/v1/training-jobs/${id}/tasks/${task}/logs`);
        const text = r.body.items.map((l: any) => l.text);
        return text.includes('done') ? text : undefined;
      });
      expect(logs).toContain(`rank=${rank} world=2`);
      expect(logs.filter((l: string) => l.startsWith('epoch='))).toHaveLength(3);
    }
  });

  it('answers an invalid job with 400 and every offending field, and appends nothing', async () => {
    const before = await t.cluster.eventLog.lastSeq();
    const environments = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`VAR_${i}`, 'x']));
    const bad = shellJob('bad name!', 'true', 1, { priority: 4 });
    bad.algorithm.environments = environments;
    const r = await t.api.call('POST', '/v1/training-jobs', bad);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const paths = r.body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['metadata.name', 'algorithm.environments', 'spec.priority']));
    expect(await t.cluster.eventLog.lastSeq()).toBe(before);

    const notJson = await fetch(`${t.api.url}/v1/training-jobs`, { method: 'POST', headers: { ...t.api.auth, 'content-type': 'application/json' }, body: '{nope' });
    expect(notJson.status).toBe(400);
    const badQuery = await t.api.call('GET', '/v1/training-jobs?limit=0&state=sleeping');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.details.map((d: any) => d.path).sort()).toEqual(['limit', 'state']);
  });

  it('stops a running job: its workers get SIGTERM and the job ends terminated', async () => {
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob('sleeper', 'echo up; sleep 600', 2));
    const id = r.body.id;
    await t.api.waitFor(id, 'running');
    const stop = await t.api.call('POST', `/v1/training-jobs/${id}/stop`);
    expect(stop.status).toBe(202);
    const ended = await t.api.waitFor(id, 'terminated', 30_000);
    expect(ended.tasks.map((x: any) => x.state)).toEqual(['stopped', 'stopped']);
    const types = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items.map((e: any) => e.type);
    expect(types).toContain('JobStopRequested');
    expect(types[types.length - 1]).toBe('JobTerminated');

    const again = await t.api.call('POST', `/v1/training-jobs/${id}/stop`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ILLEGAL_STATE');
  });

  it('fails a job whose worker exits non-zero and stops the other worker', async () => {
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob('crasher', 'if [ "$VC_TASK_INDEX" = 1 ]; then exit 3; fi; sleep 600', 2));
    const id = r.body.id;
    const failed = await eventually(async () => {
      const j = (await t.api.call('GET', `/v1/training-jobs/${id}`)).body;
      return j.state === 'failed' && j.tasks.every((x: any) => x.state !== 'running' && x.state !== 'assigned') ? j : undefined;
    }, 30_000);
    expect(failed.tasks.find((x: any) => x.name === 'worker-1')).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(failed.tasks.find((x: any) => x.name === 'worker-0').state).toBe('stopped');
  });

  it('deletes only finished jobs', async () => {
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob('quick', 'true'));
    const id = r.body.id;
    await t.api.waitFor(id, 'completed');
    expect((await t.api.call('DELETE', `/v1/training-jobs/${id}`)).status).toBe(202);
    expect((await t.api.call('GET', `/v1/training-jobs/${id}`)).status).toBe(404);
    const list = (await t.api.call('GET', '/v1/training-jobs?limit=500')).body.items.map((j: any) => j.id);
    expect(list).not.toContain(id);
  });

  it('lists nodes with capacity and liveness, and serves health and OpenAPI', async () => {
    const nodes = (await t.api.call('GET', '/v1/nodes')).body.items;
    expect(nodes.map((n: any) => [n.id, n.status])).toEqual([['node-1', 'ready'], ['node-2', 'ready']]);
    expect(nodes[0].capacity).toMatchObject({ cpu: 2, memoryMiB: 2048 });
    expect((await t.api.call('GET', '/healthz')).body.status).toBe('ok');
    const doc = (await t.api.call('GET', '/openapi.json')).body;
    expect(Object.keys(doc.paths)).toContain('/v1/training-jobs/{id}/tasks/{task}/logs');
  });

  it('keeps read models equal to a rebuild from the log', async () => {
    const r = await t.api.call('POST', '/v1/admin/projections/verify');
    expect(r.status).toBe(200);
    expect(r.body.differences).toEqual([]);
    expect(r.body.equal).toBe(true);
  });
});

