import type { BindingResult, CatalogueFlavor, ClusterEventPage, DeadLetterDismissed, DeadLetterRetry, ProjectView, TokenCreate, TokenCreated, TokenView, ExperimentComparison, ExperimentList, JobUpdate, TrainingJobSpec } from '@trainyard/contracts';
import type { Explanation, JobAt, JobGoodput, MomentRef, NodeAt } from '@trainyard/history';
import { ApiError, ApiProtocolError, classifyFetchFailure } from './api-errors';
import type { DeliveryView, DryRunView, ExecResultView, QuotaView, SearchSummary, SearchView, SubscriptionRequest, SubscriptionView } from '@trainyard/contracts';
import type { AuditEntry, Principal, ErrorResponse, JobEventView, JobPage, JobView, LogPage, LogSearchPage, NodeView, PoolView, VerifyResult, RecoveryView, DeadLetterView } from '@trainyard/contracts';

export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

export interface ApiClientOptions {
  /** Ctrl-C: aborts whatever request is in flight. */
  signal?: AbortSignal;
  /** Per-request limit for ordinary calls; streams have none. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Sent as `Authorization: Bearer <token>` with every request. */
  token?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/** Filters of `GET /v1/events` (see the API): bounds are sequences or ISO instants. */
export interface ClusterEventQuery {
  since?: string;
  until?: string;
  after?: string;
  type?: string;
  job?: string;
  node?: string;
  project?: string;
  actor?: string;
  limit?: number;
}

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

  /** `tag`: `key`, `key:value` or `key=value`; `q`: part of the name. */
  listJobs(query: { state?: string; limit?: number; offset?: number; tag?: string; experiment?: string; project?: string; q?: string }): Promise<JobPage> {
    return this.request('GET', '/v1/training-jobs', { query });
  }

  /** `PATCH /v1/training-jobs/{id}`: description, tags (all of them) or experiment (null: leave it). */
  updateJob(id: string, update: JobUpdate): Promise<JobView> {
    return this.request('PATCH', `/v1/training-jobs/${enc(id)}`, { body: update });
  }

  /** `GET /v1/flavors`: the catalogue, every pool's or one pool's. */
  listFlavors(pool?: string): Promise<{ items: CatalogueFlavor[] }> {
    return this.request('GET', '/v1/flavors', { query: { pool } });
  }

  /** `PUT /v1/flavors`: defines or replaces one catalogue flavor (operators). */
  putFlavor(flavor: CatalogueFlavor): Promise<CatalogueFlavor> {
    return this.request('PUT', '/v1/flavors', { body: flavor });
  }

  /** `DELETE /v1/flavors/{pool}/{id}` (204, no body). */
  async deleteFlavor(pool: string, id: string): Promise<void> {
    const url = this.url(`/v1/flavors/${enc(pool)}/${enc(id)}`);
    const res = await this.send(url, { method: 'DELETE', headers: { accept: 'application/json' }, signal: this.options.signal });
    if (!res.ok) throw await toApiError(res);
  }

  /** `GET /v1/experiments`: experiments with their job counts, newest first. */
  listExperiments(query: { limit?: number } = {}): Promise<ExperimentList> {
    return this.request('GET', '/v1/experiments', { query });
  }

  /** `GET /v1/experiments/{name}`: the experiment's jobs side by side. */
  getExperiment(name: string): Promise<ExperimentComparison> {
    return this.request('GET', `/v1/experiments/${enc(name)}`);
  }

  getJob(id: string): Promise<JobView> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}`);
  }

  /** `POST /v1/training-jobs/{id}/tasks/{task}/exec` (issue 15). */
  execInTask(id: string, task: string, command: string[], timeoutSeconds?: number): Promise<ExecResultView> {
    return this.request('POST', `/v1/training-jobs/${enc(id)}/tasks/${enc(task)}/exec`, { body: { command, ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) } });
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

  /** `GET /v1/events`: the cluster-wide event stream, one page (issue 17). */
  listClusterEvents(query: ClusterEventQuery): Promise<ClusterEventPage> {
    return this.request('GET', '/v1/events', { query: { ...query } });
  }

  /** Opens `GET /v1/events?follow=true` (server-sent events), resuming after `lastEventId` when given. */
  async openEventStream(query: ClusterEventQuery, lastEventId?: string): Promise<AsyncIterable<Uint8Array>> {
    const url = this.url('/v1/events', { ...query, follow: true });
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
    const res = await this.send(url, { method: 'GET', headers, signal: this.options.signal });
    if (!res.ok) throw await toApiError(res);
    if (!res.body) throw new ApiProtocolError(url, `empty event stream from ${url}`);
    return res.body;
  }

  /** `GET /v1/training-jobs/{id}/explain`: the job's decisions (issue 17). */
  explainJob(id: string): Promise<Explanation> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}/explain`);
  }

  getGoodput(id: string): Promise<JobGoodput> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}/goodput`);
  }

  /** A job, the job list or the nodes as they were at `at` (a sequence or an ISO instant). */
  getJobAt(id: string, at: string): Promise<JobAt & { at: MomentRef }> {
    return this.request('GET', `/v1/training-jobs/${enc(id)}`, { query: { at } });
  }

  listJobsAt(at: string): Promise<{ at: MomentRef; items: JobAt[]; total: number }> {
    return this.request('GET', '/v1/training-jobs', { query: { at } });
  }

  listNodesAt(at: string): Promise<{ at: MomentRef; items: NodeAt[] }> {
    return this.request('GET', '/v1/nodes', { query: { at } });
  }

  /** `GET /v1/admin/export`: the log as NDJSON, streamed. */
  async exportHistory(query: { since?: string; until?: string }): Promise<AsyncIterable<Uint8Array>> {
    const url = this.url('/v1/admin/export', query);
    const res = await this.send(url, { method: 'GET', signal: this.options.signal });
    if (!res.ok) throw await toApiError(res);
    if (!res.body) throw new ApiProtocolError(url, `empty export from ${url}`);
    return res.body as unknown as AsyncIterable<Uint8Array>;
  }

  /** `POST /v1/admin/import` with an export's text. */
  async importHistory(text: string): Promise<{ imported: number; recorded: { first: number; last: number }; first: number; last: number }> {
    const url = this.url('/v1/admin/import');
    const res = await this.send(url, { method: 'POST', headers: { 'content-type': 'application/x-ndjson', accept: 'application/json' }, body: text, signal: this.options.signal });
    if (!res.ok) throw await toApiError(res);
    return (await res.json()) as { imported: number; recorded: { first: number; last: number }; first: number; last: number };
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
  retryQuarantined(id: string): Promise<DeadLetterRetry> {
    return this.request('POST', `/v1/admin/quarantine/${enc(id)}/retry`, { timeoutMs: VERIFY_TIMEOUT_MS });
  }

  /** Accepts the loss of a dead letter. */
  dismissQuarantined(id: string, reason?: string): Promise<DeadLetterDismissed> {
    return this.request('POST', `/v1/admin/quarantine/${enc(id)}/dismiss`, { body: reason ? { reason } : {} });
  }

  /** `GET /v1/me`: who this client's token is. */
  me(): Promise<Principal> {
    return this.request('GET', '/v1/me');
  }

  /** `roles` as typed: the API refuses what is no grant, naming it. */
  createToken(body: Omit<TokenCreate, 'roles'> & { roles: string[] }): Promise<TokenCreated> {
    return this.request('POST', '/v1/admin/tokens', { body });
  }

  /** A node join token (issue 12): single-use, for `nodeId` only. */
  createNodeJoinToken(body: { nodeId: string; expiresInSeconds?: number }): Promise<{ tokenId: string; nodeId: string; expiresAt: string; token: string }> {
    return this.request('POST', '/v1/admin/node-join-tokens', { body });
  }

  listTokens(): Promise<{ items: TokenView[] }> {
    return this.request('GET', '/v1/admin/tokens');
  }

  revokeToken(id: string, reason?: string): Promise<TokenView> {
    return this.request('POST', `/v1/admin/tokens/${enc(id)}/revoke`, { body: reason ? { reason } : {} });
  }

  createProject(id: string, description?: string): Promise<ProjectView> {
    return this.request('POST', '/v1/projects', { body: { id, ...(description ? { description } : {}) } });
  }

  listProjects(): Promise<{ items: ProjectView[] }> {
    return this.request('GET', '/v1/projects');
  }

  /** Binds (or with `unbind`, unbinds) `role` to `subject`: in `project`, or cluster-wide without one. */
  bindRole(subject: string, role: string, project: string | undefined, unbind = false): Promise<BindingResult> {
    const path = project ? `/v1/projects/${enc(project)}/bindings` : '/v1/admin/bindings';
    return this.request(unbind ? 'DELETE' : 'POST', path, { body: { subject, role } });
  }

  /** `PUT /v1/projects/{project}/quotas/{pool}` (issue 16). */
  setQuota(project: string, pool: string, body: { guaranteed: Record<string, number>; limit?: Record<string, number>; cohort?: string; weight?: number }): Promise<QuotaView> {
    return this.request('PUT', `/v1/projects/${enc(project)}/quotas/${enc(pool)}`, { body });
  }

  removeQuota(project: string, pool: string): Promise<{ project: string; pool: string; removed: boolean }> {
    return this.request('DELETE', `/v1/projects/${enc(project)}/quotas/${enc(pool)}`);
  }

  projectQuotas(project: string): Promise<{ items: QuotaView[] }> {
    return this.request('GET', `/v1/projects/${enc(project)}/quotas`);
  }

  listQuotas(): Promise<{ items: QuotaView[] }> {
    return this.request('GET', '/v1/quotas');
  }

  /** Webhook subscriptions (issue 15): `secret` is in the answer only when the API made it. */
  addNotification(body: SubscriptionRequest): Promise<SubscriptionView & { secret?: string }> {
    return this.request('POST', '/v1/notifications', { body });
  }

  listNotifications(q: { job?: string; project?: string } = {}): Promise<{ items: SubscriptionView[] }> {
    const query = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined) as [string, string][]).toString();
    return this.request('GET', `/v1/notifications${query ? `?${query}` : ''}`);
  }

  removeNotification(id: string): Promise<{ id: string; removed: boolean; seq: number }> {
    return this.request('DELETE', `/v1/notifications/${enc(id)}`);
  }

  notificationDeliveries(id: string, limit?: number): Promise<{ items: DeliveryView[] }> {
    return this.request('GET', `/v1/notifications/${enc(id)}/deliveries${limit ? `?limit=${limit}` : ''}`);
  }

  /** Hyperparameter searches (issue 15). */
  createSearch(body: unknown): Promise<SearchView> {
    return this.request('POST', '/v1/searches', { body });
  }

  listSearches(query: { project?: string; status?: string } = {}): Promise<{ items: SearchSummary[] }> {
    return this.request('GET', '/v1/searches', { query });
  }

  getSearch(id: string): Promise<SearchView> {
    return this.request('GET', `/v1/searches/${enc(id)}`);
  }

  stopSearch(id: string): Promise<SearchView> {
    return this.request('POST', `/v1/searches/${enc(id)}/stop`);
  }

  /** `POST /v1/training-jobs/dry-run`: would it be placed now, where, or why not; appends nothing. */
  dryRun(spec: TrainingJobSpec): Promise<DryRunView> {
    return this.request('POST', '/v1/training-jobs/dry-run', { body: spec });
  }

  /** `GET /v1/audit`: the commands principals committed, newest first. */
  audit(query: { actor?: string; project?: string; job?: string; since?: string; until?: string; limit?: number; before?: number }): Promise<{ items: AuditEntry[]; next: number | null }> {
    return this.request('GET', '/v1/audit', { query });
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
    if (this.options.token) init = { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.options.token}` } };
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
