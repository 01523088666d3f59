import { Permission } from '@trainyard/contracts';

/**
 * Who may call each route (issue 11). Every route the API serves has exactly one rule here, keyed by
 * method and Fastify's route pattern; a route without one is refused for everybody (`AuthGuard`) and
 * fails the authorization matrix test (`test/authorization-matrix.e2e.spec.ts`). Adding a route means
 * adding its line here and its row in that test.
 *
 * - `public`: no principal needed (health, how to sign in, the console's static files).
 * - `signed-in`: any authenticated principal, even one holding no role (`/v1/me` says so).
 * - `any-role`: a principal holding at least one role; what it lists is filtered to what it may read.
 * - `cluster`: the permission held cluster-wide (operator, admin, or a grant).
 * - `job`: the job named by the `:id` parameter. A job the caller cannot read answers 404 as if it did
 *   not exist; one it can read but not act on answers 403 naming the permission.
 * - `project`: the permission in the project the request names (a submission's `metadata.project`).
 * - `project-query`: cluster-wide, or in the project named by `?project=` (the audit of one project).
 * - `path-project`: the permission in the project named by the `:project_id` path parameter (the v2
 *   API's `/v2/{project_id}/…`, issue 18), or by `param` (`:id` of `/v1/projects/:id/quotas`). v2 `job` routes name the job `:training_job_id`, and a job
 *   of another project than the path's answers 404.
 * - `subscription-target`: the permission on what a new webhook subscription names (issue 15): the
 *   body's `job` (a job the caller cannot read answers 404), else the body's `project`.
 * - `subscription`: the permission on the subscription `:id` names, in its project (one the caller
 *   cannot read answers 404); `x:own` holds for the subscriptions the caller made.
 */
export type RouteRule =
  | { access: 'public' }
  | { access: 'signed-in' }
  | { access: 'any-role' }
  | { access: 'cluster'; permission: Permission }
  | { access: 'job'; permission: Permission }
  | { access: 'project'; permission: Permission }
  | { access: 'project-query'; permission: Permission }
  | { access: 'path-project'; permission: Permission; param?: string }
  | { access: 'subscription-target'; permission: Permission }
  | { access: 'subscription'; permission: Permission };

const P = Permission;
const job = (permission: Permission): RouteRule => ({ access: 'job', permission });
const cluster = (permission: Permission): RouteRule => ({ access: 'cluster', permission });
const inPathProject = (permission: Permission, param?: string): RouteRule => ({ access: 'path-project', permission, ...(param ? { param } : {}) });

export const ROUTE_RULES: Readonly<Record<string, RouteRule>> = {
  'GET /healthz': { access: 'public' },
  'GET /v1/auth/config': { access: 'public' },
  'GET /': { access: 'public' },
  'GET /assets/:file': { access: 'public' },

  'GET /v1/me': { access: 'signed-in' },
  'GET /openapi.json': { access: 'signed-in' },
  'GET /metrics': cluster(P.MetricsRead),

  'POST /v1/training-jobs': { access: 'project', permission: P.JobSubmit },
  'GET /v1/training-jobs': { access: 'any-role' },
  'GET /v1/training-jobs/stream': { access: 'any-role' },
  'GET /v1/training-jobs/:id': job(P.JobRead),
  'POST /v1/training-jobs/:id/stop': job(P.JobStop),
  'POST /v1/training-jobs/:id/tasks/:task/exec': job(P.JobExec),
  'POST /v1/training-jobs/:id/priority': job(P.JobPriority),
  'DELETE /v1/training-jobs/:id': job(P.JobDelete),
  'GET /v1/training-jobs/:id/events': job(P.JobRead),
  'GET /v1/training-jobs/:id/recovery': job(P.JobRead),
  'GET /v1/training-jobs/:id/metrics': job(P.JobRead),
  'GET /v1/training-jobs/:id/logs': job(P.JobRead),
  'GET /v1/training-jobs/:id/logs/search': job(P.JobRead),
  'GET /v1/training-jobs/:id/logs/download': job(P.JobRead),
  'GET /v1/training-jobs/:id/tasks/:task/logs': job(P.JobRead),
  'GET /v1/training-jobs/:id/tasks/:task/logs/download': job(P.JobRead),

  'GET /v1/nodes': { access: 'any-role' },
  'POST /v1/nodes/:id/:verb': cluster(P.NodeOperate),
  'GET /v1/pools': { access: 'any-role' },
  'GET /v1/dashboard': cluster(P.MetricsRead),
  'GET /v1/dashboard/overview': cluster(P.MetricsRead),
  'GET /v1/dashboard/trend': cluster(P.MetricsRead),
  'GET /v1/audit': { access: 'project-query', permission: P.AuditRead },
  /** The cluster-wide event stream (issue 17): everything for cluster-wide readers, one's projects' jobs' otherwise. */
  'GET /v1/events': { access: 'any-role' },
  /** History (issue 17): a job's decisions and goodput, the cluster's goodput, the log out and in. */
  'GET /v1/training-jobs/:id/explain': job(P.JobRead),
  'GET /v1/training-jobs/:id/goodput': job(P.JobRead),
  'GET /v1/dashboard/goodput': cluster(P.MetricsRead),
  'GET /v1/admin/export': cluster(P.SystemManage),
  'POST /v1/admin/import': cluster(P.SystemManage),

  'POST /v1/admin/projections/verify': cluster(P.SystemManage),
  'GET /v1/admin/quarantine': cluster(P.SystemManage),
  'POST /v1/admin/quarantine/:id/retry': cluster(P.SystemManage),
  'POST /v1/admin/quarantine/:id/dismiss': cluster(P.SystemManage),

  'GET /v1/admin/tokens': cluster(P.TokenManage),
  'POST /v1/admin/tokens': cluster(P.TokenManage),
  'POST /v1/admin/tokens/:id/revoke': cluster(P.TokenManage),
  /** Joining a node (issue 12): admins issue a join token; the agent presenting it is authenticated by the token alone. */
  'POST /v1/admin/node-join-tokens': cluster(P.TokenManage),
  'POST /v1/nodes/join': { access: 'public' },
  'GET /v1/admin/bindings': cluster(P.ProjectManage),
  'POST /v1/admin/bindings': cluster(P.ProjectManage),
  'DELETE /v1/admin/bindings': cluster(P.ProjectManage),
  'GET /v1/projects': { access: 'any-role' },

  // The flavor catalogue, editing after creation, and the vendor-compatible v2 surface (issue 18).
  'GET /v1/flavors': { access: 'any-role' },
  'PUT /v1/flavors': cluster(P.NodeOperate),
  'DELETE /v1/flavors/:pool/:flavorId': cluster(P.NodeOperate),
  'PATCH /v1/training-jobs/:id': job(P.JobSubmit),
  /** Experiments, and an experiment's jobs side by side: only the jobs one may read. */
  'GET /v1/experiments': { access: 'any-role' },
  'GET /v1/experiments/:name': { access: 'any-role' },
  'POST /v2/:project_id/training-jobs': inPathProject(P.JobSubmit),
  'GET /v2/:project_id/training-jobs': inPathProject(P.JobRead),
  'POST /v2/:project_id/training-job-searches': inPathProject(P.JobRead),
  'GET /v2/:project_id/training-jobs/:training_job_id': job(P.JobRead),
  'PUT /v2/:project_id/training-jobs/:training_job_id': job(P.JobSubmit),
  'DELETE /v2/:project_id/training-jobs/:training_job_id': job(P.JobDelete),
  'POST /v2/:project_id/training-jobs/:training_job_id/actions': job(P.JobStop),
  'GET /v2/:project_id/training-jobs/:training_job_id/tasks/:task_id/logs/preview': job(P.JobRead),
  'GET /v2/:project_id/training-jobs/:training_job_id/tasks/:task_id/logs/url': job(P.JobRead),
  'GET /v2/:project_id/training-job-flavors': { access: 'any-role' },
  'GET /v2/:project_id/training-job-engines': { access: 'any-role' },
  'POST /v1/projects': cluster(P.ProjectManage),
  /** Hyperparameter searches (issue 15): creating needs search:create in the body's project; reading and stopping are decided per search in its project (404 when unreadable). */
  'POST /v1/searches': { access: 'project', permission: P.SearchCreate },
  'GET /v1/searches': { access: 'any-role' },
  'GET /v1/searches/:id': { access: 'any-role' },
  'POST /v1/searches/:id/stop': { access: 'any-role' },
  'POST /v1/projects/:id/bindings': cluster(P.ProjectManage),
  'DELETE /v1/projects/:id/bindings': cluster(P.ProjectManage),

  // Quotas and dry runs (issue 16): operators and admins set quotas, a project's roles read its own.
  'GET /v1/quotas': { access: 'any-role' },
  'GET /v1/projects/:id/quotas': inPathProject(P.QuotaRead, 'id'),
  'PUT /v1/projects/:id/quotas/:pool': cluster(P.QuotaManage),
  'DELETE /v1/projects/:id/quotas/:pool': cluster(P.QuotaManage),
  'POST /v1/training-jobs/dry-run': { access: 'project', permission: P.JobSubmit },

  // Webhook notifications (issue 15): members subscribe and remove their own, maintainers and operators any.
  'POST /v1/notifications': { access: 'subscription-target', permission: P.NotificationManage },
  'GET /v1/notifications': { access: 'any-role' },
  'GET /v1/notifications/:id': { access: 'subscription', permission: P.JobRead },
  'DELETE /v1/notifications/:id': { access: 'subscription', permission: P.NotificationManage },
  'GET /v1/notifications/:id/deliveries': { access: 'subscription', permission: P.JobRead },
};

/** The rule of a request's route (`HEAD` is served by the `GET` route). */
export function ruleFor(method: string, routeUrl: string | undefined): RouteRule | undefined {
  if (!routeUrl) return undefined;
  return ROUTE_RULES[`${method === 'HEAD' ? 'GET' : method} ${routeUrl}`];
}
