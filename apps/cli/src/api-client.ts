import type { TrainingJobSpec } from '@trainyard/contracts';
import { ApiError, ApiProtocolError, classifyFetchFailure } from './api-errors';
import type { ErrorResponse, JobEventView, JobPage, JobView, LogPage, LogSearchPage, NodeView, PoolView, VerifyResult, RecoveryView, DeadLetterView } from '@trainyard/contracts';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface ApiClientOptions {
  /** Ctrl-C: aborts whatever request is in flight. */
  signal?: AbortSignal;
  /** Per-request limit for ordinary calls; streams have none. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  timeoutMs?: number;
}

/** Rebuilding every projection can take a while on a long log. */
const VERIFY_TIMEOUT_MS = 10 * 60_000;

/**
 * The `/v1` HTTP API, one method per endpoint. Methods return the parsed JSON untouched, so `--json`
 * prints exactly what the API said; non-2xx answers throw `ApiError`, no answer throws `ApiUnreachableError`.
 */
export class ApiClient {
  private readonly fetch: typeof fetch;

  constructor(
    readonly baseUrl: string,
    private readonly options: ApiClientOptions = {},
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  submitJob(spec: TrainingJobSpec): Promise<JobView> {
    return this.request('POST', '/v1/training-jobs', { body: spec });
  }

  listJobs(query: { state?: string; limit?: number; offset?: number }): Promise<JobPage> {
    return this.request('GET', '/v1/training-jobs', { query });
  }

  getJob(id: string): Promise<JobView> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}`);
  }

  stopJob(id: string): Promise<JobView> {
    return this.request('POST', `/v1/training-jobs/${enc(id)}/stop`);
  }

  changePriority(id: string, priority: number): Promise<JobView> {
    return this.request('POST', `/v1/training-jobs/${enc(id)}/priority`, { body: { priority } });
  }

  deleteJob(id: string): Promise<JobView> {
    return this.request('DELETE', `/v1/training-jobs/${enc(id)}`);
  }

  listEvents(id: string): Promise<{ items: JobEventView[] }> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}/events`);
  }

  getLogs(id: string, task: string, query: { attempt?: number; afterSeq?: number; limit?: number; tail?: number; from?: string; to?: string }): Promise<LogPage> {
    return this.request('GET', logsPath(id, task), { query });
  }

  /** `GET /v1/training-jobs/{id}/logs/search`: lines of the job's tasks containing (or, with `regex`, matching) `q`. */
  searchLogs(id: string, query: { q: string; regex?: boolean; ignoreCase?: boolean; task?: string; attempt?: number; limit?: number; after?: string }): Promise<LogSearchPage> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}/logs/search`, { query });
  }

  /**
   * Downloads one task's log (`task` given) or all of the job's logs as a `tar.gz`, and returns the
   * body with the file name the server suggests (the guide's `modelarts-job-<id>-<task>.log`).
   */
  async downloadLogs(id: string, task?: string): Promise<{ fileName: string; body: AsyncIterable<Uint8Array> }> {
    const url = this.url(task ? `${logsPath(id, task)}/download` : `/v1/training-jobs/${enc(id)}/logs/download`);
    const res = await this.send(url, { method: 'GET', signal: this.options.signal });
    if (!res.ok) throw await toApiError(res);
    if (!res.body) throw new ApiProtocolError(url, `empty download from ${url}`);
    const fileName = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? (task ? `${id}-${task}.log` : `${id}-logs.tar.gz`);
    return { fileName, body: res.body as unknown as AsyncIterable<Uint8Array> };
  }

  /**
   * Opens the server-sent-event stream of a task's log (`follow=true`) and returns its body. Connect
   * failures and error statuses throw like any call; what happens after the headers is the caller's.
   */
  async openLogStream(
    id: string,
    task: string,
    query: { attempt?: number; afterSeq?: number },
  ): Promise<AsyncIterable<Uint8Array>> {
    const url = this.url(logsPath(id, task), { ...query, follow: true });
    const res = await this.send(url, { method: 'GET', headers: { accept: 'text/event-stream' }, signal: this.options.signal });
    if (!res.ok) throw await toApiError(res);
    if (!res.body) throw new ApiProtocolError(url, `empty log stream from ${url}`);
    return res.body;
  }

  listNodes(): Promise<{ items: NodeView[] }> {
    return this.request('GET', '/v1/nodes');
  }

  /** `POST /v1/nodes/{id}/cordon|drain|uncordon` (the fault manager answers). */
  operateNode(id: string, verb: 'cordon' | 'drain' | 'uncordon', body: { reason?: string; graceMs?: number }): Promise<NodeView> {
    return this.request('POST', `/v1/nodes/${enc(id)}/${verb}`, { body });
  }

  /** The job's fault tolerance: restart count, recovery decisions, hangs, failure analyses. */
  getRecovery(id: string): Promise<RecoveryView> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}/recovery`);
  }

  listPools(): Promise<{ items: PoolView[] }> {
    return this.request('GET', '/v1/pools');
  }

  verifyProjections(): Promise<VerifyResult> {
    return this.request('POST', '/v1/admin/projections/verify', { timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** Dead letters, newest first (`state` default: the open ones). */
  listQuarantine(query: { state?: string; limit?: number } = {}): Promise<{ items: DeadLetterView[] }> {
    return this.request('GET', '/v1/admin/quarantine', { query });
  }

  /** Applies a dead letter again after a fix. */
  retryQuarantined(id: string): Promise<{ id: string; outcome: 'applied' | 'still-failing'; code?: string; message?: string }> {
    return this.request('POST', `/v1/admin/quarantine/${enc(id)}/retry`, { timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** Accepts the loss of a dead letter. */
  dismissQuarantined(id: string, reason?: string): Promise<{ id: string; state: 'dismissed' }> {
    return this.request('POST', `/v1/admin/quarantine/${enc(id)}/dismiss`, { body: reason ? { reason } : {} });
  }

  /** The full URL of a path, with `undefined` query values left out. */
  url(path: string, query: Query = {}): string {
    const url = new URL(this.baseUrl.replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  private async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = this.url(path, opts.query);
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.options.timeoutMs ?? 30_000);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    const res = await this.send(url, {
      method,
      signal,
      headers: { accept: 'application/json', ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    if (!res.ok) throw await toApiError(res);
    const text = await res.text().catch((err: unknown) => this.failure(url, err));
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiProtocolError(url, `${method} ${url} answered ${res.status} with a body that is not JSON: ${snippet(text)}`);
    }
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, init);
    } catch (err) {
      return this.failure(url, err);
    }
  }

  private failure(url: string, err: unknown): never {
    // Ctrl-C is not a network problem: let the caller see the abort itself.
    if (this.options.signal?.aborted) throw err;
    throw classifyFetchFailure(url, err);
  }
}

const enc = encodeURIComponent;
const logsPath = (id: string, task: string) => `/v1/training-jobs/${enc(id)}/tasks/${enc(task)}/logs`;

async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<ErrorResponse>;
    if (body.error && typeof body.error.code === 'string') return ApiError.fromBody(res.status, body.error);
  } catch {
    // Not our JSON (a proxy's HTML page, say): fall through to a status-based error.
  }
  const reason = res.statusText || 'request failed';
  return new ApiError(res.status, `HTTP_${res.status}`, text ? `${reason}: ${snippet(text)}` : reason);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
