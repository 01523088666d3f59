import { execFileSync } from 'node:child_process';
import { TEST_ADMIN_AUTH } from '@trainyard/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, yard } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** Reads a server-sent-event stream to its `end` event; returns the lines and the end data. */
async function follow(url: string): Promise<{ lines: any[]; end: any; ids: number[] }> {
  const res = await fetch(url, { headers: { ...TEST_ADMIN_AUTH, accept: 'text/event-stream' } });
  const lines: any[] = [];
  const ids: number[] = [];
  let buf = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as any as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      const field = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
      const event = field('event');
      if (event === 'line') {
        lines.push(JSON.parse(field('data')!));
        ids.push(Number(field('id')));
      }
      if (event === 'end') return { lines, end: JSON.parse(field('data')!), ids };
    }
  }
  throw new Error(`stream closed without end after ${lines.length} lines`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('logs - every rank kept, read, followed, searched and downloaded', () => {
  let t: TestCluster;
  let dir: string;
  beforeAll(async () => {
    t = await startTestCluster();
    dir = mkdtempSync(join(tmpdir(), 'ty-logs-e2e-'));
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs - long lines whole, bytes that are not UTF-8 exact, search across tasks, and downloads with the guide file names', async () => {
    const command = [
      'echo "rank=$VC_TASK_INDEX start"',
      `head -c 300000 /dev/zero | tr '\\0' 'x'; echo`,
      `printf 'bad \\377\\376 bytes\\n'`,
      'echo "loss=0.$VC_TASK_INDEX"',
      // stdout and stderr are two pipes: order across them is the order the agent reads them in.
      'sleep 0.3',
      '[ "$VC_TASK_INDEX" = 1 ] && echo "ERROR: NCCL timeout" >&2',
      'true',
    ].join('; ');
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', shellJob('bytes', command, 2));
    await t.api.waitFor(job.id, 'completed');
    const id = job.id;

    const read = await t.api.call('GET', `/v1/training-jobs/${id}/tasks/worker-1/logs`);
    const items = read.body.items;
    expect(items.map((l: any) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(items[1].text).toBe('x'.repeat(300_000));
    expect(Buffer.from(items[2].bytes, 'base64')).toEqual(Buffer.from('bad \xff\xfe bytes', 'latin1'));
    expect(items[4]).toMatchObject({ stream: 'stderr', text: 'ERROR: NCCL timeout' });

    const search = await t.api.call('GET', `/v1/training-jobs/${id}/logs/search?q=${encodeURIComponent('loss=0\\.[0-9]$')}&regex=true`);
    expect(search.body.items.map((h: any) => [h.task, h.seq, h.text])).toEqual([['worker-0', 4, 'loss=0.0'], ['worker-1', 4, 'loss=0.1']]);
    const nccl = await t.api.call('GET', `/v1/training-jobs/${id}/logs/search?q=nccl&ignoreCase=true`);
    expect(nccl.body.items).toEqual([expect.objectContaining({ task: 'worker-1', seq: 5, stream: 'stderr' })]);
    const badRegex = await t.api.call('GET', `/v1/training-jobs/${id}/logs/search?q=(oops&regex=true`);
    expect(badRegex.status).toBe(400);

    const file = await fetch(`${t.api.url}/v1/training-jobs/${id}/tasks/worker-1/logs/download`, { headers: TEST_ADMIN_AUTH });
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="modelarts-job-${id}-worker-1.log"`);
    const bytes = Buffer.from(await file.arrayBuffer());
    const want = Buffer.concat([
      Buffer.from(`rank=1 start\n${'x'.repeat(300_000)}\n`),
      Buffer.from('bad \xff\xfe bytes\n', 'latin1'),
      Buffer.from('loss=0.1\nERROR: NCCL timeout\n'),
    ]);
    expect(bytes.equals(want)).toBe(true);

    const archive = await fetch(`${t.api.url}/v1/training-jobs/${id}/logs/download`, { headers: TEST_ADMIN_AUTH });
    expect(archive.headers.get('content-type')).toBe('application/gzip');
    const tgz = join(dir, 'logs.tar.gz');
    writeFileSync(tgz, Buffer.from(await archive.arrayBuffer()));
    expect(execFileSync('tar', ['-tzf', tgz]).toString().trim().split('\n')).toEqual([
      `modelarts-job-${id}-worker-0.log`,
      `modelarts-job-${id}-worker-1.log`,
    ]);
    execFileSync('tar', ['-xzf', tgz, '-C', dir]);
    expect(readFileSync(join(dir, `modelarts-job-${id}-worker-1.log`)).equals(want)).toBe(true);
    expect(readFileSync(join(dir, `modelarts-job-${id}-worker-0.log`)).toString()).toMatch(/^rank=0 start\n/);

    // The same through yard.
    buildOnce();
    const grep = await yard(['logs', id, '--grep', 'loss=0\\.[0-9]$', '--regex'], t.api.url);
    expect(grep).toMatchObject({ code: 0, stdout: 'worker-0:4: loss=0.0\nworker-1:4: loss=0.1\n' });
    expect((await yard(['logs', id, '--grep', 'no such text'], t.api.url)).code).toBe(1);
    const saved = join(dir, 'worker-1.log');
    expect((await yard(['logs', id, '--task', 'worker-1', '--download', saved], t.api.url)).code).toBe(0);
    expect(readFileSync(saved).equals(want)).toBe(true);
    expect((await yard(['logs', id, '--task', 'worker-1', '--tail', '1'], t.api.url)).stdout).toBe('ERROR: NCCL timeout\n');

    const attempts = await t.api.call('GET', `/v1/training-jobs/${id}/logs`);
    expect(attempts.body.items).toEqual([
      expect.objectContaining({ task: 'worker-0', attempt: 1, lastSeq: 4, eofSeq: 4 }),
      expect.objectContaining({ task: 'worker-1', attempt: 1, lastSeq: 5, eofSeq: 5, bytes: want.length }),
    ]);
  });

  // Last: the NATS restart costs the scheduler its lease for a moment (it answers again once re-elected).
  it('logs - fault injection: the log router and NATS restart while a chatty task runs; every line arrives once, in order, and a live follow ends right after the last one', async () => {
    const N = 6000;
    // 100 lines, a tenth of a second's pause, and again: about six seconds of steady output.
    const command = `i=0; while [ $i -lt ${N} ]; do i=$((i+1)); echo "line $i"; [ $((i % 100)) -eq 0 ] && sleep 0.1; done; echo "to stderr" >&2`;
    const { body: job } = await t.api.call('POST', '/v1/training-jobs', shellJob('chatty', command));
    await t.api.waitFor(job.id, 'running');
    const followed = follow(`${t.api.url}/v1/training-jobs/${job.id}/tasks/worker-0/logs?follow=true`);

    await sleep(1000);
    await t.cluster.restartLogRouter();
    await sleep(1000);
    await t.nats.restart({ downtimeMs: 700 });
    await sleep(500);
    await t.cluster.restartLogRouter();

    await t.api.waitFor(job.id, 'completed', 90_000);
    const { lines, end, ids } = await followed;
    const expected = [...Array.from({ length: N }, (_, i) => `line ${i + 1}`), 'to stderr'];
    expect(lines.map((l) => l.text)).toEqual(expected);
    expect(ids).toEqual(expected.map((_, i) => i + 1));
    expect(lines.at(-1).stream).toBe('stderr');
    expect(end).toMatchObject({ state: 'succeeded', lastSeq: N + 1 });

    const stored = await t.api.call('GET', `/v1/training-jobs/${job.id}/tasks/worker-0/logs?limit=10000`);
    expect(stored.body.items.map((l: any) => l.text)).toEqual(expected);
    expect(stored.body.items.map((l: any) => l.seq)).toEqual(expected.map((_, i) => i + 1));
    const tail = await t.api.call('GET', `/v1/training-jobs/${job.id}/tasks/worker-0/logs?tail=2`);
    expect(tail.body.items.map((l: any) => l.text)).toEqual([`line ${N}`, 'to stderr']);
  });
});
