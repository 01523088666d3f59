import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JobView } from '@trainyard/contracts';
import type { CliEnv } from '../src/cli-env';
import { runCli } from '../src/cli';
import { type FakeApi, startFakeApi } from './fake-api-server';

/** Runs `yard` in-process against the fake API; sleeps return at once, the clock is fixed. */
async function yard(api: FakeApi | string, args: string[], opts: { cwd?: string; vars?: Record<string, string>; signal?: AbortSignal } = {}) {
  let stdout = '';
  let stderr = '';
  const sleeps: number[] = [];
  const env: CliEnv = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    vars: opts.vars ?? { TY_API_URL: typeof api === 'string' ? api : api.url },
    cwd: opts.cwd ?? process.cwd(),
    now: () => new Date('2025-03-01T12:00:00Z'),
    sleep: async (ms) => void sleeps.push(ms),
    signal: opts.signal,
  };
  const code = await runCli(args, env);
  return { code, stdout, stderr, sleeps };
}

const SPEC_YAML = `kind: job
metadata: { name: hello, description: 测试作业 }
algorithm: { command: python3 train.py, codeDir: code/hello }
spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 }, nodeCount: 1 } }
`;

let api: FakeApi;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yard-int-'));
  await writeFile(path.join(dir, 'hello.yaml'), SPEC_YAML);
  await writeFile(path.join(dir, 'bad.json'), JSON.stringify({ kind: 'job', metadata: { name: 'bad name!' }, algorithm: {}, spec: {} }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  api = await startFakeApi();
});
afterEach(async () => {
  await api.close();
});

async function submitted(): Promise<JobView> {
  const r = await yard(api, ['submit', path.join(dir, 'hello.yaml'), '--json']);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as JobView;
}

describe('yard CLI over HTTP - jobs', () => {
  it('submit sends the spec with codeDir made absolute and prints the new id', async () => {
    const r = await yard(api, ['submit', 'hello.yaml'], { cwd: dir });
    expect(r).toMatchObject({ code: 0, stdout: 'job-1\n', stderr: '' });
    expect(api.submitted[0]).toMatchObject({ metadata: { name: 'hello' }, algorithm: { codeDir: path.join(dir, 'code', 'hello') } });
  });

  it('submit --json prints the JobView', async () => {
    const job = await submitted();
    expect(job).toMatchObject({ id: 'job-1', state: 'waiting', stateZh: '等待中' });
  });

  it('a rejected spec prints every field detail to stderr and exits 1', async () => {
    const r = await yard(api, ['submit', path.join(dir, 'bad.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error VALIDATION_FAILED: the job spec is invalid\n  metadata.name: must be 1-64 letters, digits, - or _ (INVALID_FORMAT) [V1]\n');
  });

  it('jobs passes the filters as query parameters and prints a table', async () => {
    await submitted();
    await submitted();
    const r = await yard(api, ['jobs', '--state', 'waiting', '--limit', '1', '--offset', '1']);
    expect(r.code).toBe(0);
    expect(api.requests.at(-1)).toBe('GET /v1/training-jobs?state=waiting&limit=1&offset=1');
    expect(r.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+STATE/);
    expect(r.stdout).toContain('job-2  hello  waiting');
    expect(r.stdout).toContain('Showing 2–2 of 2.');
  });

  it('jobs --json prints the page as the API sent it', async () => {
    await submitted();
    const r = await yard(api, ['--json', 'jobs']);
    expect(JSON.parse(r.stdout)).toMatchObject({ items: [{ id: 'job-1' }], total: 1, limit: 50, offset: 0 });
  });

  it('describe prints the summary and the tasks table', async () => {
    await submitted();
    const r = await yard(api, ['describe', 'job-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^State:\s+waiting \(等待中\)$/m);
    expect(r.stdout).toMatch(/^Description:\s+测试作业$/m);
    expect(r.stdout).toMatch(/^worker-0\s+waiting\s+-/m);
  });

  it('describe of an unknown job prints NOT_FOUND and exits 1', async () => {
    const r = await yard(api, ['describe', 'nope']);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'error NOT_FOUND: no training job nope\n' });
  });

  it('an answer that is not the API (a proxy page) still gives a readable error', async () => {
    const r = await yard(api, ['describe', 'behind-proxy']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error HTTP_502: Bad Gateway: <html><body>Bad Gateway</body></html>\n');
  });

  it('events prints English, or Chinese with --zh', async () => {
    await submitted();
    const en = await yard(api, ['events', 'job-1']);
    expect(en.stdout).toMatch(/JobQueued\s+-\s+Training job queued, waiting for resource allocation\n$/);
    const zh = await yard(api, ['events', 'job-1', '--zh']);
    expect(zh.stdout).toMatch(/JobQueued\s+-\s+训练作业已排队，正在等待资源分配\n$/);
  });

  it('stop and delete print the new state; stopping an ended job is ILLEGAL_STATE', async () => {
    await submitted();
    expect((await yard(api, ['stop', 'job-1'])).stdout).toBe('Stop requested for job job-1; state: terminating\n');
    expect(api.requests.at(-1)).toBe('POST /v1/training-jobs/job-1/stop');
    expect((await yard(api, ['delete', 'job-1'])).stdout).toBe('Delete requested for job job-1; state: deleting\n');
    expect(api.requests.at(-1)).toBe('DELETE /v1/training-jobs/job-1');
    api.jobs.get('job-1')!.state = 'completed';
    const r = await yard(api, ['stop', 'job-1']);
    expect(r).toMatchObject({ code: 1, stderr: 'error ILLEGAL_STATE: job job-1 is completed; only a job that has not ended can be stopped\n' });
  });
});

describe('yard CLI over HTTP - logs', () => {
  beforeEach(async () => {
    await submitted();
    api.logLines = Array.from({ length: 5 }, (_, i) => ({ attempt: 1, seq: i + 1, ts: '2025-03-01T11:58:00Z', stream: 'stdout', text: `step ${i + 1} 损失 0.${i}` }));
  });

  it('logs reads the stored log page by page', async () => {
    const r = await yard(api, ['logs', 'job-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(api.logLines.map((l) => `${l.text}\n`).join(''));
    expect(api.requests.filter((q) => q.includes('/logs'))).toEqual([
      'GET /v1/training-jobs/job-1/tasks/worker-0/logs?limit=1000',
      'GET /v1/training-jobs/job-1/tasks/worker-0/logs?attempt=1&afterSeq=5&limit=1000',
    ]);
  });

  it('logs --json joins the pages in the API shape', async () => {
    const r = await yard(api, ['logs', 'job-1', '--json', '--attempt', '1']);
    expect(JSON.parse(r.stdout)).toMatchObject({ nextSeq: 5, items: [{ seq: 1 }, { seq: 2 }, { seq: 3 }, { seq: 4 }, { seq: 5 }] });
  });

  it('logs of an unknown task is NOT_FOUND', async () => {
    const r = await yard(api, ['logs', 'job-1', '--task', 'worker-9']);
    expect(r).toMatchObject({ code: 1, stderr: 'error NOT_FOUND: job job-1 has no task worker-9\n' });
  });

  it('logs -f streams to the end event and reconnects with afterSeq when the connection drops', async () => {
    api.dropAfter = [2];
    const r = await yard(api, ['logs', 'job-1', '-f']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(api.logLines.map((l) => `${l.text}\n`).join(''));
    expect(r.stderr).toBe('log stream interrupted; reconnecting after line 2\n--- worker-0 ended: succeeded ---\n');
    expect(api.requests.filter((q) => q.includes('/logs'))).toEqual([
      'GET /v1/training-jobs/job-1/tasks/worker-0/logs?follow=true',
      'GET /v1/training-jobs/job-1/tasks/worker-0/logs?attempt=1&afterSeq=2&follow=true',
    ]);
  });

  it('logs -f --json prints one JSON line per log line', async () => {
    const r = await yard(api, ['logs', 'job-1', '--follow', '--json']);
    expect(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('Ctrl-C ends a follow with exit 130 and no error text', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    const r = await yard(api, ['logs', 'job-1', '-f'], { signal: interrupt.signal });
    expect(r).toMatchObject({ code: 130, stderr: '' });
  });
});

describe('yard CLI over HTTP - wait, nodes, admin', () => {
  it('wait exits 0 when the job reaches the state, reporting progress on stderr', async () => {
    await submitted();
    api.stateScript.set('job-1', ['waiting', 'running']);
    const r = await yard(api, ['wait', 'job-1', '--for', 'running', '--interval', '0.5']);
    expect(r).toMatchObject({ code: 0, stdout: 'job job-1 is running\n', stderr: 'job job-1: waiting\njob job-1: running\n', sleeps: [500] });
  });

  it('wait exits 1 when the job ends in another terminal state', async () => {
    await submitted();
    api.stateScript.set('job-1', ['running', 'failed']);
    const r = await yard(api, ['wait', 'job-1', '--for', 'completed', '--timeout', '60']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').at(-2)).toBe('error JOB_ENDED: job job-1 ended failed, not completed');
  });

  it('wait --for deleted succeeds once the job is gone', async () => {
    await submitted();
    api.stateScript.set('job-1', ['deleting', 'GONE']);
    expect((await yard(api, ['wait', 'job-1', '--for', 'deleted'])).code).toBe(0);
  });

  it('nodes shows free = capacity - used', async () => {
    api.nodes = [{ id: 'n1', host: '127.0.0.1', pool: 'default', capacity: { cpu: 4, memoryMiB: 8192, gpu: 0, npu: 0 }, used: { cpu: 1.5, memoryMiB: 512, gpu: 0, npu: 0 }, labels: {}, status: 'ready', lastHeartbeat: '2025-03-01T11:59:59Z' }];
    const r = await yard(api, ['nodes']);
    expect(r.stdout.split('\n')[1]).toMatch(/^n1\s+127\.0\.0\.1\s+default\s+ready\s+2\.5\/4\s+7680\/8192\s+0\/0\s+0\/0\s+1s\s+-$/);
  });

  it('admin rebuild --verify exits 0 when equal and 1 with the differences when not', async () => {
    expect((await yard(api, ['admin', 'rebuild', '--verify'])).code).toBe(0);
    expect(api.requests.at(-1)).toBe('POST /v1/admin/projections/verify');
    api.verify = { equal: false, differences: [{ table: 'jobs', id: 'job-1', column: 'state', live: 'running', rebuilt: 'failed' }] };
    const r = await yard(api, ['admin', 'rebuild', '--verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('(1 difference):\n  - {"table":"jobs","id":"job-1","column":"state","live":"running","rebuilt":"failed"}\n');
    const json = await yard(api, ['admin', 'rebuild', '--verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual(api.verify);
  });
});

describe('yard CLI over HTTP - where the API is', () => {
  it('--api beats TY_API_URL', async () => {
    const r = await yard('http://127.0.0.1:9', ['nodes', '--api', `${api.url}/`]);
    expect(r.code).toBe(0);
    expect(api.requests).toEqual(['GET /v1/nodes']);
  });

  it('connection refused names the URL tried and how to start a local cluster', async () => {
    const gone = await startFakeApi();
    await gone.close();
    const r = await yard(gone.url, ['jobs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error UNREACHABLE: cannot reach the Trainyard API at ${gone.url}/v1/training-jobs (connection refused)\n`);
    expect(r.stderr).toContain('`npm start` starts a local cluster');
  });

  it('usage errors exit 2', async () => {
    expect((await yard(api, ['jobs', '--limit', 'ten'])).code).toBe(2);
    expect((await yard(api, ['wait', 'job-1'])).code).toBe(2);
    expect((await yard(api, ['frobnicate'])).code).toBe(2);
    expect((await yard(api, ['nodes', '--api', 'not a url'])).code).toBe(2);
    expect(api.requests).toEqual([]);
  });

  it('bad ids, priorities and texts are usage errors naming the argument, before any request', async () => {
    const id = await yard(api, ['describe', '../../admin']);
    expect(id.code).toBe(2);
    expect(id.stderr).toMatch(/error USAGE: .*argument 'id'.*expected an id of 1–128 letters, digits, - and _/);
    expect((await yard(api, ['priority', 'job-1', '4'])).code).toBe(2);
    expect((await yard(api, ['stop', 'a.b'])).code).toBe(2);
    const reason = await yard(api, ['node', 'cordon', 'n1', '--reason', 'r'.repeat(501)]);
    expect(reason.code).toBe(2);
    expect(reason.stderr).toMatch(/--reason.*expected 1–500 characters/);
    expect(api.requests).toEqual([]);
  });

  it('a spec file that is not a text spec exits 1 with SPEC_FILE_INVALID, sending nothing', async () => {
    await writeFile(path.join(dir, 'binary.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x00, 0x01]));
    const binary = await yard(api, ['submit', path.join(dir, 'binary.yaml')]);
    expect(binary.code).toBe(1);
    expect(binary.stderr).toMatch(/^error SPEC_FILE_INVALID: .*binary.yaml: not a text file \(a NUL byte at offset 5\)/);
    await writeFile(path.join(dir, 'nul.json'), JSON.stringify({ kind: 'job', metadata: { name: 'n' }, algorithm: { command: '\u0000' }, spec: {} }));
    const nul = await yard(api, ['submit', path.join(dir, 'nul.json')]);
    expect(nul.code).toBe(1);
    expect(nul.stderr).toMatch(/holds text the API cannot take:\n  algorithm.command: .*NUL.* \(INVALID_TEXT\)/);
    expect(api.requests).toEqual([]);
  });
});
