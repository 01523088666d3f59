import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JobView, LogLine, NodeView } from '@trainyard/contracts';

/**
 * A tiny stand-in for apps/api that plays the HTTP contract the CLI relies on, so the integration test
 * exercises real sockets, status codes, bodies and SSE framing. It is not a model of the control plane:
 * jobs move through states only as the test scripts them.
 */
export interface FakeApi {
  url: string;
  /** Every request seen, as `METHOD /path?query`. */
  requests: string[];
  /** Bodies of `POST /v1/training-jobs`. */
  submitted: unknown[];
  jobs: Map<string, JobView>;
  /** States `GET /v1/training-jobs/{id}` walks through, one per request (the last repeats). */
  stateScript: Map<string, string[]>;
  /** Lines of worker-0 of every job, attempt 1. */
  logLines: LogLine[];
  /** Follow connections that drop after sending this many lines (consumed one per connection). */
  dropAfter: number[];
  nodes: NodeView[];
  verify: { equal: boolean; differences: unknown[] };
  close(): Promise<void>;
}

export async function startFakeApi(): Promise<FakeApi> {
  const fake: FakeApi = {
    url: '',
    requests: [],
    submitted: [],
    jobs: new Map(),
    stateScript: new Map(),
    logLines: [],
    dropAfter: [],
    nodes: [],
    verify: { equal: true, differences: [] },
    close: () => closeServer(server),
  };
  const server = createServer((req, res) => {
    fake.requests.push(`${req.method} ${req.url}`);
    void route(fake, req, res).catch((err: unknown) => send(res, 500, { error: { code: 'INTERNAL', message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function route(api: FakeApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const q = url.searchParams;
  const notFound = () => send(res, 404, { error: { code: 'NOT_FOUND', message: `no training job ${parts[2]}` } });

  if (req.method === 'POST' && url.pathname === '/v1/training-jobs') {
    const spec = JSON.parse(await readBody(req)) as JobView['spec'];
    api.submitted.push(spec);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.metadata?.name ?? '')) {
      return send(res, 400, {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'the job spec is invalid',
          details: [{ path: 'metadata.name', code: 'INVALID_FORMAT', message: 'must be 1-64 letters, digits, - or _', rule: 'V1' }],
        },
      });
    }
    const job = makeJob(`job-${api.jobs.size + 1}`, spec);
    api.jobs.set(job.id, job);
    return send(res, 201, job);
  }
  if (req.method === 'GET' && url.pathname === '/v1/training-jobs') {
    const all = [...api.jobs.values()].filter((j) => !q.get('state') || j.state === q.get('state'));
    const limit = Number(q.get('limit') ?? 50);
    const offset = Number(q.get('offset') ?? 0);
    const items = all.slice(offset, offset + limit).map(({ id, name, state, priority, nodeCount, attempt, createdAt, startedAt, endedAt, updatedAt }) => ({ id, name, state, priority, nodeCount, attempt, createdAt, startedAt, endedAt, updatedAt }));
    return send(res, 200, { items, total: all.length, limit, offset });
  }
  if (req.method === 'GET' && url.pathname === '/v1/nodes') return send(res, 200, { items: api.nodes });
  if (req.method === 'POST' && url.pathname === '/v1/admin/projections/verify') return send(res, 200, api.verify);

  if (parts[0] !== 'v1' || parts[1] !== 'training-jobs' || !parts[2]) return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
  // A proxy in front of a dead API answers with HTML.
  if (parts[2] === 'behind-proxy') return send(res, 502, '<html><body>Bad Gateway</body></html>', 'text/html');
  const job = api.jobs.get(parts[2]);
  if (!job) return notFound();

  if (req.method === 'GET' && parts.length === 3) {
    const script = api.stateScript.get(job.id);
    if (script?.length) {
      const next = script.length > 1 ? script.shift()! : script[0];
      if (next === 'GONE') return notFound();
      job.state = next;
    }
    return send(res, 200, job);
  }
  if (req.method === 'POST' && parts[3] === 'stop') {
    if (['completed', 'failed', 'terminated', 'abnormal'].includes(job.state)) {
      return send(res, 409, { error: { code: 'ILLEGAL_STATE', message: `job ${job.id} is ${job.state}; only a job that has not ended can be stopped` } });
    }
    return send(res, 202, { ...job, state: 'terminating', stateZh: '终止中' });
  }
  if (req.method === 'DELETE' && parts.length === 3) return send(res, 202, { ...job, state: 'deleting', stateZh: '删除中' });
  if (req.method === 'GET' && parts[3] === 'events') {
    return send(res, 200, {
      items: [
        { seq: 1, idx: 0, type: 'JobCreated', time: job.createdAt, task: null, message: 'Training job created successfully', messageZh: '训练作业创建成功', data: {}, actor: 'user:cli' },
        { seq: 1, idx: 1, type: 'JobQueued', time: job.createdAt, task: null, message: 'Training job queued, waiting for resource allocation', messageZh: '训练作业已排队，正在等待资源分配', data: {}, actor: 'user:cli' },
      ],
    });
  }
  if (req.method === 'GET' && parts[3] === 'tasks' && parts[5] === 'logs') {
    if (parts[4] !== 'worker-0') return send(res, 404, { error: { code: 'NOT_FOUND', message: `job ${job.id} has no task ${parts[4]}` } });
    const afterSeq = Number(q.get('afterSeq') ?? 0);
    const after = api.logLines.filter((l) => l.seq > afterSeq);
    if (q.get('follow') === 'true') return streamLogs(res, after, api.dropAfter.shift());
    const items = after.slice(0, Number(q.get('limit') ?? 1000));
    return send(res, 200, { items, nextSeq: items.length ? items[items.length - 1].seq : afterSeq });
  }
  return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no route' } });
}

/** SSE as apps/api writes it, flushed in awkward pieces; `dropAfter` cuts the socket mid-event. */
async function streamLogs(res: ServerResponse, lines: LogLine[], dropAfter: number | undefined): Promise<void> {
  // Each piece is flushed before the next, so the client really receives them separately, and a
  // destroyed socket has delivered everything written before it.
  const write = (text: string) => new Promise<void>((resolve, reject) => res.write(text, (err) => (err ? reject(err) : resolve())));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  await write(': keep-alive\n\n');
  for (const [i, line] of lines.entries()) {
    const frame = `id: ${line.seq}\nevent: line\ndata: ${JSON.stringify(line)}\n\n`;
    if (dropAfter !== undefined && i === dropAfter) {
      await write(frame.slice(0, 20));
      res.socket?.destroy();
      return;
    }
    await write(frame.slice(0, 7));
    await write(frame.slice(7));
  }
  res.end('event: end\r\ndata: {"state":"succeeded"}\r\n\r\n');
}

function makeJob(id: string, spec: JobView['spec']): JobView {
  return {
    id,
    name: spec.metadata.name,
    description: spec.metadata.description ?? null,
    state: 'waiting',
    stateZh: '等待中',
    priority: spec.spec?.priority ?? 1,
    attempt: 0,
    dispatched: false,
    reason: null,
    nodeCount: spec.spec?.resource?.nodeCount ?? 1,
    createdAt: '2025-03-01T11:55:00.000Z',
    startedAt: null,
    endedAt: null,
    updatedAt: '2025-03-01T11:55:00.000Z',
    createdBy: 'user:cli',
    spec,
    tasks: [{ name: 'worker-0', index: 0, state: 'waiting', nodeId: null, attempt: 0, exitCode: null, signal: null, procStartCount: 0, startedAt: null, endedAt: null }],
  };
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
