import { SseParser } from '@trainyard/contracts';
import { TEST_ADMIN_AUTH } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** Reads server-sent events from `path` until `until` says stop (or the timeout), then aborts. */
async function readEvents(url: string, until: (events: { event: string; data: any; id?: string }[]) => boolean, timeoutMs = 20_000) {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: { event: string; data: any; id?: string }[] = [];
  try {
    const res = await fetch(url, { signal: ac.signal, headers: TEST_ADMIN_AUTH });
    const parser = new SseParser();
    for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) {
      for (const e of parser.push(chunk)) events.push({ ...e, data: JSON.parse(e.data) });
      if (until(events)) break;
    }
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return events;
}

describe('console API - the routes the web console reads', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster();
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('GET /v1/me names the caller (the test admin, who holds every cluster permission); /v1/auth/config has no OIDC by default', async () => {
    const me = (await t.api.call('GET', '/v1/me')).body;
    expect(me).toMatchObject({ id: 'user:admin', roles: ['operator', 'admin'], projects: [], tokenId: 'testadminabc' });
    expect(me.permissions).toEqual(expect.arrayContaining(['job:submit', 'job:stop', 'job:setHighPriority', 'node:operate', 'audit:read']));
    expect((await t.api.call('GET', '/v1/auth/config')).body).toEqual({ token: true, oidc: null });
    const paths = Object.keys((await t.api.call('GET', '/openapi.json')).body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/me', '/v1/auth/config', '/v1/training-jobs/stream', '/v1/audit', '/v1/dashboard/overview', '/v1/dashboard/trend', '/']));
  });

  it('the job stream says where it starts, then sends every change of a job live; after= replays what was missed', async () => {
    const start = t.api.url + '/v1/training-jobs/stream';
    const first = readEvents(start, (ev) => ev.some((e) => e.event === 'job' && e.data.state === 'completed'));
    await new Promise((r) => setTimeout(r, 300));
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', shellJob('streamed', 'echo hi; sleep 2', 1));
    const events = await first;
    expect(events[0].event).toBe('ready');
    const mine = events.filter((e) => e.event === 'job' && e.data.id === job.id);
    expect([...new Set(mine.map((e) => e.data.state))]).toEqual(['waiting', 'running', 'completed']);
    expect(mine.at(-1)!.data).toMatchObject({ name: 'streamed', project: 'default', nodeCount: 1 });
    const ids = mine.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const replay = await readEvents(`${start}?after=${events[0].data.seq}`, (ev) => ev.some((e) => e.event === 'job' && e.data.id === job.id));
    expect(replay.find((e) => e.event === 'job')!.data.state).toBe('completed');
    expect((await t.api.call('GET', '/v1/training-jobs/stream?after=-1')).status).toBe(400);
  });

  it('lists jobs by name and tag, in the default project only; audits the submit; serves the dashboard overview and trend', async () => {
    const tagged = shellJob('Tagged_Run', 'true', 1);
    tagged.metadata.tags = [{ key: 'team', value: 'vision' }];
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', tagged);
    const ids = async (q: string) => (await t.api.call('GET', `/v1/training-jobs?${q}`)).body.items.map((j: any) => j.id);
    expect(await ids('q=tagged_')).toEqual([job.id]);
    expect(await ids('tag=team=vision')).toEqual([job.id]);
    expect(await ids('tag=team=speech')).toEqual([]);
    expect(await ids('tag=team&project=default')).toEqual([job.id]);
    expect(await ids('project=other')).toEqual([]);
    expect((await t.api.call('GET', `/v1/training-jobs/${job.id}`)).body.project).toBe('default');

    const audit = (await t.api.call('GET', `/v1/audit?job=${job.id}`)).body.items;
    expect(audit[0]).toMatchObject({ actor: 'user:admin', target: { kind: 'job', id: job.id }, types: ['JobCreated', 'JobQueued'] });

    await t.api.waitFor(job.id, 'completed');
    const overview = (await t.api.call('GET', '/v1/dashboard/overview')).body;
    expect(overview.total).toBeGreaterThanOrEqual(2);
    expect(overview.requestedCards).toEqual({ gpu: 0, npu: 0 });
    const trend = (await t.api.call('GET', '/v1/dashboard/trend?days=7')).body;
    expect(trend.points).toHaveLength(7);
    expect(trend.points.at(-1).jobs).toBeGreaterThanOrEqual(2);
    expect((await t.api.call('GET', '/v1/dashboard/trend?days=5')).status).toBe(400);
  });

  it('cordon by an operator is audited on the node', async () => {
    expect((await t.api.call('POST', '/v1/nodes/node-2/cordon', { reason: 'disk check' })).status).toBe(200);
    const items = await eventually(async () => {
      const r = (await t.api.call('GET', '/v1/audit?node=node-2')).body.items;
      return r.length ? r : undefined;
    });
    expect(items[0]).toMatchObject({ actor: 'user:admin', target: { kind: 'node', id: 'node-2' }, types: ['NodeIsolated'] });
    expect((await t.api.call('POST', '/v1/nodes/node-2/uncordon', {})).status).toBe(200);
  });
});

describe('console API - shutdown with open streams', () => {
  it('ends the job stream and a log follow when the API stops, instead of waiting for the browser to leave', async () => {
    const t = await startTestCluster();
    const ac = new AbortController();
    try {
      const { body: job } = await t.api.call('POST', '/v1/training-jobs', shellJob('long', 'echo up; sleep 60', 1));
      await t.api.waitFor(job.id, 'running');
      const readers = [];
      for (const path of ['/v1/training-jobs/stream', `/v1/training-jobs/${job.id}/tasks/worker-0/logs?follow=true`]) {
        const res = await fetch(t.api.url + path, { signal: ac.signal, headers: TEST_ADMIN_AUTH });
        readers.push(res.body!.getReader());
      }
      // Everything the streams have to say so far; then only the server can end them.
      const drained = readers.map(async (r) => {
        for (;;) if ((await r.read()).done) return 'ended';
      });
      const stopped = t[Symbol.asyncDispose]().then(() => 'stopped');
      const outcome = await Promise.race([Promise.all([...drained, stopped]), new Promise((r) => setTimeout(() => r('still open after 15 s'), 15_000))]);
      expect(outcome).toEqual(['ended', 'ended', 'stopped']);
    } finally {
      ac.abort();
    }
  });
});
