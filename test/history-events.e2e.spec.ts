import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { SseParser } from '@trainyard/contracts';
import { TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { buildOnce, ROOT, yard } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * The cluster-wide event stream (issue 17): GET /v1/events over the event index, filtered and paged,
 * followed live as server-sent events that resume from Last-Event-ID, and `yard events --all`.
 */
describe('history - the cluster-wide event stream', () => {
  let t: TestCluster;
  const jobs: string[] = [];

  beforeAll(async () => {
    buildOnce();
    t = await startTestCluster();
    for (let i = 0; i < 4; i++) {
      const r = await t.api.call('POST', '/v1/training-jobs', shellJob(`ev-${i}`, 'sleep 0.2', 1));
      expect(r.status).toBe(201);
      jobs.push(r.body.id);
    }
    for (const id of jobs) await t.api.waitFor(id, 'completed');
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const list = async (query: string) => (await t.api.call('GET', `/v1/events?${query}`)).body;

  it('events - every job and node event in log order, the same as each job\'s own history, filtered by type, job, node and time', async () => {
    const all = (await list('limit=1000')).items as any[];
    const seqs = all.map((e) => e.seq * 1000 + e.idx);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(all.filter((e) => e.type === 'NodeRegistered').map((e) => e.aggregate.id).sort()).toEqual(['node-1', 'node-2']);
    for (const id of jobs) {
      const own = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
      expect(all.filter((e) => e.aggregate.kind === 'job' && e.aggregate.id === id).map((e) => [e.seq, e.idx, e.type, e.message])).toEqual(
        own.map((e) => [e.seq, e.idx, e.type, e.message]),
      );
    }
    // A node's work orders name their job: the job filter finds the TaskAssigned on node subjects too.
    const ofJob = (await list(`job=${jobs[0]}`)).items as any[];
    expect(ofJob.some((e) => e.type === 'TaskAssigned' && e.aggregate.kind === 'node')).toBe(true);
    expect(ofJob.every((e) => e.jobId === jobs[0])).toBe(true);

    const started = (await list('type=JobStarted,JobSucceeded')).items as any[];
    expect(started.filter((e) => e.type === 'JobSucceeded').map((e) => e.jobId).sort()).toEqual([...jobs].sort());
    const node1 = (await list('node=node-1&limit=1000')).items as any[];
    expect(node1.length).toBeGreaterThan(0);
    expect(node1.every((e) => e.nodeIds.includes('node-1'))).toBe(true);
    const scheduled = all.find((e) => e.type === 'JobScheduled');
    const window = (await list(`since=${encodeURIComponent(scheduled.time)}&until=${scheduled.seq}`)).items as any[];
    expect(window.at(-1).seq).toBe(scheduled.seq);
    expect(window.every((e) => e.time >= scheduled.time)).toBe(true);
    expect((await list('project=default&limit=1000')).items.every((e: any) => e.aggregate.kind === 'job')).toBe(true);
    expect((await list('project=elsewhere')).items).toEqual([]);
  });

  it('events - pages follow the cursor to the end, none lost or repeated', async () => {
    const all = ((await list('limit=1000')).items as any[]).map((e) => e.id);
    const paged: string[] = [];
    let after = '';
    for (;;) {
      const page = await list(`limit=7${after ? `&after=${after}` : ''}`);
      paged.push(...page.items.map((e: any) => e.id));
      if (!page.next) break;
      after = page.next;
    }
    expect(paged).toEqual(all);
  });

  it('events - bad filters are refused with the offending parameter, all at once', async () => {
    const r = await t.api.call('GET', '/v1/events?type=JobTeleported&since=yesterday&limit=0&node=a.b&after=x&follow=true&until=5');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.map((d: any) => d.path).sort()).toEqual(['after', 'limit', 'node', 'since', 'type', 'until'].sort());
  });

  it('events - follow=true streams live and resumes exactly after Last-Event-ID', async () => {
    const seen = await readStream({}, 5);
    const resumed = await readStream({ 'last-event-id': seen[2].id }, 2);
    expect(resumed.map((e) => e.id)).toEqual(seen.slice(3, 5).map((e) => e.id));
    // Live: a job submitted while the stream is open arrives on it.
    const live = readStream({ 'last-event-id': ((await list('limit=1000')).items as any[]).at(-1).id }, 1, 'type=JobCreated');
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob('ev-live', 'true', 1));
    const [created] = await live;
    expect(created).toMatchObject({ type: 'JobCreated', jobId: r.body.id });
    await t.api.waitFor(r.body.id, 'completed');
  });

  it('yard events --all - a table of the cluster\'s events, filtered; --json the API\'s items; -f follows', async () => {
    const out = await yard(['events', '--all', '--type', 'JobSucceeded', '--since', '1h'], t.api.url);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^SEQ\s+TIME\s+TYPE\s+ABOUT\s+MESSAGE/);
    for (const id of jobs) expect(out.stdout).toContain(`job ${id}`);
    const json = await yard(['events', '--all', '--node', 'node-2', '--json'], t.api.url);
    expect(JSON.parse(json.stdout).items.every((e: any) => e.nodeIds.includes('node-2'))).toBe(true);
    const bad = await yard(['events', '--all', '--since', 'yesterday'], t.api.url);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);

    const child = spawn(process.execPath, [resolve(ROOT, 'bin/yard.js'), 'events', '--all', '-f', '--type', 'JobCreated', '--since', 'seq:1', '--api', t.api.url], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TY_TOKEN: t.api.token! } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    try {
      await eventually(async () => (jobs.every((id) => stdout.includes(id)) ? true : undefined), 15_000);
      const r = await t.api.call('POST', '/v1/training-jobs', shellJob('ev-followed', 'true', 1));
      await eventually(async () => (stdout.includes(r.body.id) ? true : undefined), 15_000);
      await t.api.waitFor(r.body.id, 'completed');
    } finally {
      child.kill('SIGINT');
    }
    expect(stdout.split('\n')[0]).toBe('SEQ\tTIME\tTYPE\tABOUT\tMESSAGE');
  });

  /** Reads `count` events of `GET /v1/events?follow=true`, then hangs up. */
  async function readStream(headers: Record<string, string>, count: number, query = ''): Promise<any[]> {
    const ctl = new AbortController();
    const res = await fetch(`${t.api.url}/v1/events?follow=true&${query}`, { headers: { ...t.api.auth, accept: 'text/event-stream', ...headers }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const parser = new SseParser();
    const got: any[] = [];
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const ev of parser.push(chunk)) {
          if (ev.event !== 'event') continue;
          const e = JSON.parse(ev.data);
          expect(ev.id).toBe(e.id);
          got.push(e);
        }
        if (got.length >= count) break;
      }
    } finally {
      ctl.abort();
    }
    return got.slice(0, count);
  }
});
