import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, type ApiClient, type TestCluster } from './support/test-cluster';
import { shellJob } from './support/specs';

/**
 * Every route the API serves × every kind of caller, against a real cluster (issue 11). The routes
 * come from the server itself, so a route added without a row here (and a rule in
 * `apps/api/src/auth/route-rules.ts`) fails this test. A row names, per caller, what the route must
 * answer: `ok` (served: neither 401, 403 nor a hiding 404), `403`, or `404` (a job the caller cannot
 * read is a job that is not there). Every row answers 401 to the four bad credentials unless `public`.
 */
type Outcome = 'ok' | 403 | 404;
const CALLERS = ['viewer', 'otherMember', 'member', 'maintainer', 'operator', 'admin'] as const;
type Caller = (typeof CALLERS)[number];
const BAD = ['none', 'expired', 'revoked', 'wrongSignature'] as const;
type Row = { public: true } | Record<Caller, Outcome>;

const row = (viewer: Outcome, otherMember: Outcome, member: Outcome, maintainer: Outcome, operator: Outcome, admin: Outcome): Row => ({ viewer, otherMember, member, maintainer, operator, admin });
const PUBLIC: Row = { public: true };
const ANYONE = row('ok', 'ok', 'ok', 'ok', 'ok', 'ok');
/** A job of project p1 created by the member: readable by p1's roles and cluster-wide readers, hidden from others. */
const READ_JOB = row('ok', 404, 'ok', 'ok', 'ok', 'ok');
/** Acting on it: its creator (member, `:own`), the maintainer, an operator; an admin reads but does not act. */
const ACT_ON_JOB = row(403, 404, 'ok', 'ok', 'ok', 403);
const SUBMIT_IN_P1 = row(403, 403, 'ok', 'ok', 'ok', 403);
const METRICS = row(403, 403, 403, 403, 'ok', 'ok');
const OPERATE = row(403, 403, 403, 403, 'ok', 403);
const SYSTEM = row(403, 403, 403, 403, 'ok', 'ok');
const ADMIN = row(403, 403, 403, 403, 403, 'ok');
/** Reading p1's jobs through a v2 path (`/v2/p1/…`): p1's roles and cluster-wide readers. */
const READ_P1 = row('ok', 403, 'ok', 'ok', 'ok', 'ok');
/** The audit of p1 (`?project=p1`): its maintainer, and admins. */
const AUDIT_P1 = row(403, 403, 403, 'ok', 403, 'ok');

const MATRIX: Record<string, Row> = {
  'GET /healthz': PUBLIC,
  'GET /v1/auth/config': PUBLIC,
  'GET /': PUBLIC,
  'GET /assets/:file': PUBLIC,
  'GET /v1/me': ANYONE,
  'GET /openapi.json': ANYONE,
  'GET /metrics': METRICS,
  'POST /v1/training-jobs': SUBMIT_IN_P1,
  'GET /v1/training-jobs': ANYONE,
  'GET /v1/training-jobs/stream': ANYONE,
  'GET /v1/training-jobs/:id': READ_JOB,
  'POST /v1/training-jobs/:id/stop': ACT_ON_JOB,
  'POST /v1/training-jobs/:id/tasks/:task/exec': ACT_ON_JOB,
  'POST /v1/training-jobs/:id/priority': ACT_ON_JOB,
  'DELETE /v1/training-jobs/:id': ACT_ON_JOB,
  'GET /v1/training-jobs/:id/events': READ_JOB,
  'GET /v1/training-jobs/:id/recovery': READ_JOB,
  'GET /v1/training-jobs/:id/metrics': READ_JOB,
  'GET /v1/training-jobs/:id/logs': READ_JOB,
  'GET /v1/training-jobs/:id/logs/search': READ_JOB,
  'GET /v1/training-jobs/:id/logs/download': READ_JOB,
  'GET /v1/training-jobs/:id/tasks/:task/logs': READ_JOB,
  'GET /v1/training-jobs/:id/tasks/:task/logs/download': READ_JOB,
  'GET /v1/nodes': ANYONE,
  'POST /v1/nodes/:id/:verb': OPERATE,
  'GET /v1/pools': ANYONE,
  'GET /v1/dashboard': METRICS,
  'GET /v1/dashboard/overview': METRICS,
  'GET /v1/dashboard/trend': METRICS,
  'GET /v1/audit': AUDIT_P1,
  'GET /v1/events': ANYONE,
  'GET /v1/training-jobs/:id/explain': READ_JOB,
  'GET /v1/training-jobs/:id/goodput': READ_JOB,
  'GET /v1/dashboard/goodput': METRICS,
  'GET /v1/admin/export': SYSTEM,
  'POST /v1/admin/import': SYSTEM,
  'POST /v1/admin/projections/verify': SYSTEM,
  'GET /v1/admin/quarantine': SYSTEM,
  'POST /v1/admin/quarantine/:id/retry': SYSTEM,
  'POST /v1/admin/quarantine/:id/dismiss': SYSTEM,
  'GET /v1/admin/tokens': ADMIN,
  'POST /v1/admin/tokens': ADMIN,
  'POST /v1/admin/tokens/:id/revoke': ADMIN,
  'POST /v1/admin/node-join-tokens': ADMIN,
  'POST /v1/nodes/join': PUBLIC,
  'GET /v1/admin/bindings': ADMIN,
  'POST /v1/admin/bindings': ADMIN,
  'DELETE /v1/admin/bindings': ADMIN,
  'GET /v1/projects': ANYONE,
  'POST /v1/projects': ADMIN,
  'POST /v1/projects/:id/bindings': ADMIN,
  'DELETE /v1/projects/:id/bindings': ADMIN,
  // Issue 18: the flavor catalogue, editing after creation, the v2 surface.
  'GET /v1/flavors': ANYONE,
  'PUT /v1/flavors': OPERATE,
  'DELETE /v1/flavors/:pool/:flavorId': OPERATE,
  'PATCH /v1/training-jobs/:id': ACT_ON_JOB,
  'GET /v1/experiments': ANYONE,
  'GET /v1/experiments/:name': ANYONE,
  'POST /v2/:project_id/training-jobs': SUBMIT_IN_P1,
  'GET /v2/:project_id/training-jobs': READ_P1,
  'POST /v2/:project_id/training-job-searches': READ_P1,
  'GET /v2/:project_id/training-jobs/:training_job_id': READ_JOB,
  'PUT /v2/:project_id/training-jobs/:training_job_id': ACT_ON_JOB,
  'DELETE /v2/:project_id/training-jobs/:training_job_id': ACT_ON_JOB,
  'POST /v2/:project_id/training-jobs/:training_job_id/actions': ACT_ON_JOB,
  'GET /v2/:project_id/training-jobs/:training_job_id/tasks/:task_id/logs/preview': READ_JOB,
  'GET /v2/:project_id/training-jobs/:training_job_id/tasks/:task_id/logs/url': READ_JOB,
  'GET /v2/:project_id/training-job-flavors': ANYONE,
  'GET /v2/:project_id/training-job-engines': ANYONE,
  // Issue 16: quotas (operators and admins set them, a project's roles read its own) and dry runs.
  'GET /v1/quotas': ANYONE,
  'GET /v1/projects/:id/quotas': READ_P1,
  'PUT /v1/projects/:id/quotas/:pool': SYSTEM,
  'DELETE /v1/projects/:id/quotas/:pool': SYSTEM,
  'POST /v1/training-jobs/dry-run': SUBMIT_IN_P1,
  // Issue 15: webhook subscriptions. p1's members subscribe (and remove their own), its maintainer and operators any; its readers read.
  'POST /v1/notifications': SUBMIT_IN_P1,
  'GET /v1/notifications': ANYONE,
  'GET /v1/notifications/:id': READ_JOB,
  'DELETE /v1/notifications/:id': ACT_ON_JOB,
  'GET /v1/notifications/:id/deliveries': READ_JOB,
  // Hyperparameter searches (issue 15): a search of p1 by the member, read and stopped as its jobs are.
  'POST /v1/searches': SUBMIT_IN_P1,
  'GET /v1/searches': ANYONE,
  'GET /v1/searches/:id': READ_JOB,
  'POST /v1/searches/:id/stop': ACT_ON_JOB,
};

/** A webhook subscription to p1's jobs (nothing listens there: the port is closed). */
const P1_SUBSCRIPTION = { project: 'p1', events: ['started'], url: 'http://127.0.0.1:9/hook' };

/** A job of project p1 (it waits: the cluster has no node). */
const parked = (name: string) => ({ ...shellJob(name, 'true'), metadata: { name, project: 'p1' }, });
/** A search of p1 with one trial (which waits like any job here). */
const P1_SEARCH = {
  kind: 'search',
  metadata: { name: 'matrix', project: 'p1' },
  search: { algorithm: 'random', algorithmParameters: { num_samples: 1 }, metric: { name: 'loss', direction: 'minimize' }, parameters: [{ name: 'x', type: 'float', min: 0, max: 1 }] },
  job: parked('trial'),
};

describe('authorization matrix - every route x every caller', () => {
  let t: TestCluster;
  const tokens = {} as Record<Caller | (typeof BAD)[number], string | undefined>;
  let readJob: string;
  let readSubscription: string;
  let readSearch: string;

  beforeAll(async () => {
    // No node: every job waits, so acting on one is quick and repeatable.
    t = await startTestCluster({ agents: [] });
    const admin = t.api;
    for (const p of ['p1', 'p2']) expect((await admin.call('POST', '/v1/projects', { id: p })).status).toBe(201);
    const make = async (body: object) => {
      const r = await admin.call('POST', '/v1/admin/tokens', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body as { id: string; token: string };
    };
    const viewer = await make({ roles: ['viewer'], project: 'p1', subject: 'user:vera' });
    tokens.viewer = viewer.token;
    tokens.otherMember = (await make({ roles: ['member'], project: 'p2', subject: 'user:otto' })).token;
    tokens.member = (await make({ roles: ['member'], project: 'p1', subject: 'user:mia' })).token;
    tokens.maintainer = (await make({ roles: ['maintainer'], project: 'p1', subject: 'user:max' })).token;
    tokens.operator = (await make({ roles: ['operator'], subject: 'user:olga' })).token;
    tokens.admin = (await make({ roles: ['admin'], subject: 'user:ada' })).token;
    tokens.none = undefined;
    const expiring = await make({ roles: ['maintainer'], project: 'p1', expiresInSeconds: 1 });
    tokens.expired = expiring.token;
    const revoked = await make({ roles: ['operator'] });
    expect((await admin.call('POST', `/v1/admin/tokens/${revoked.id}/revoke`, {})).status).toBe(200);
    tokens.revoked = revoked.token;
    // The viewer's id with another secret: a forgery.
    tokens.wrongSignature = `tyt_${viewer.id}_${'A'.repeat(43)}`;
    expect(tokens.wrongSignature).not.toBe(tokens.viewer);
    readJob = await submitAsMember('read-me');
    readSubscription = await subscribeAsMember();
    readSearch = await searchAsMember();
    await new Promise((r) => setTimeout(r, 1_100)); // the expiring token lapses
  }, 60_000);
  afterAll(async () => t && (await t[Symbol.asyncDispose]()));

  async function submitAsMember(name: string): Promise<string> {
    const r = await t.api.as(tokens.member).call('POST', '/v1/training-jobs', parked(name));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  }

  async function subscribeAsMember(): Promise<string> {
    const r = await t.api.as(tokens.member).call('POST', '/v1/notifications', P1_SUBSCRIPTION);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  }

  async function searchAsMember(): Promise<string> {
    const r = await t.api.as(tokens.member).call('POST', '/v1/searches', P1_SEARCH);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id;
  }

  /** One request to `route` as `api`; a mutating job route gets a fresh job of its own. */
  async function request(api: ApiClient, route: string): Promise<number> {
    const [method, pattern] = route.split(' ');
    const mutating = method !== 'GET' && (pattern.startsWith('/v1/training-jobs/:id') || pattern.startsWith('/v2/:project_id/training-jobs/:training_job_id'));
    const notification = pattern.startsWith('/v1/notifications/:id');
    const search = pattern.startsWith('/v1/searches/:id');
    const id = search ? (method === 'GET' ? readSearch : await searchAsMember()) : notification ? (method === 'GET' ? readSubscription : await subscribeAsMember()) : mutating ? await submitAsMember('act-on-me') : readJob;
    const path = pattern
      .replace(':project_id', 'p1')
      .replace(':training_job_id', id)
      .replace(':task_id', 'worker-0')
      .replace(':pool', 'default')
      .replace(':flavorId', 'none')
      .replace(':name', 'exp-1')
      .replace(':id', pattern.startsWith('/v1/training-jobs') || notification || search ? id : pattern.startsWith('/v1/nodes') ? 'node-1' : pattern.startsWith('/v1/admin/tokens') ? 'zzzzzzzzzzzz' : pattern.startsWith('/v1/projects') ? 'p1' : 'db:999999')
      .replace(':task', 'worker-0')
      .replace(':verb', 'no-such-verb')
      .replace(':file', 'index-none.js');
    const query = pattern === '/v1/audit' ? '?project=p1' : pattern.endsWith('/logs/search') ? '?q=x' : '';
    const body = method === 'GET' ? undefined : pattern === '/v1/training-jobs' || pattern === '/v1/training-jobs/dry-run' ? parked('submitted') : pattern.endsWith('/priority') ? { priority: 2 } : pattern === '/v1/notifications' ? P1_SUBSCRIPTION : pattern === '/v1/searches' ? P1_SEARCH : {};
    if (pattern.endsWith('/stream') || pattern.endsWith('/logs') || pattern.endsWith('/export')) {
      // Streams do not end: the status is what counts.
      const ac = new AbortController();
      const res = await fetch(`${api.url}${path}${query}`, { headers: api.auth, signal: ac.signal });
      ac.abort();
      return res.status;
    }
    return (await api.call(method, path + query, body)).status;
  }

  it('every route the API serves has a row (a route added without one fails here)', () => {
    const served = [...new Set(t.cluster.apiRoutes)].sort();
    expect(served.length).toBeGreaterThan(30);
    expect(served.filter((r) => !(r in MATRIX)), 'routes without a row in the matrix').toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !served.includes(r)), 'rows for routes that do not exist').toEqual([]);
  });

  it('every route answers each caller as its row says', async () => {
    const failures: string[] = [];
    for (const route of [...new Set(t.cluster.apiRoutes)].sort()) {
      const expected = MATRIX[route];
      if (!expected) continue; // reported by the test above
      const cases: [string, 'ok' | 401 | 403 | 404][] =
        'public' in expected ? [...BAD, ...CALLERS].map((c) => [c, 'ok']) : [...BAD.map((c) => [c, 401] as [string, 401]), ...CALLERS.map((c) => [c, expected[c]] as [string, Outcome])];
      for (const [caller, want] of cases) {
        const status = await request(t.api.as(tokens[caller as keyof typeof tokens]), route);
        const got = status === 401 || status === 403 || (status === 404 && want === 404) ? status : 'ok';
        const hides = want === 'ok' && status === 404 && route.startsWith('GET /v1/training-jobs/:id');
        if (got !== want || hides) failures.push(`${route} as ${caller}: ${status}, expected ${want}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
