import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DEFAULT_PROJECT, ErrorCode, FieldCode, may, PROJECT_ID, type Principal, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import { holdsAnything } from '@trainyard/domain';
import { counter } from '@trainyard/telemetry';
import type { FastifyRequest } from 'fastify';
import { API_OPTIONS, READS } from '../api.tokens';
import type { ApiOptions } from '../api-options';
import type { ReadModel } from '../read-model';
import { jobScope } from '../training-jobs/job-project';
import { AUTHENTICATOR } from './auth.tokens';
import type { Authenticator } from './authenticator';
import { SUBSCRIPTIONS } from '../notifications/notification.tokens';
import type { SubscriptionDirectory } from '../notifications/subscription-directory';
import { setRequestAuth } from './request-auth';
import { ruleFor, type RouteRule } from './route-rules';

const refused = counter('trainyard_api_refused_total', 'API requests refused for want of a principal (401) or a permission (403), by route', ['status', 'reason', 'route']);

/**
 * Authentication and authorization of every request, before any other guard (issue 11): the route's
 * rule (`route-rules.ts`) says what it needs; the caller's principal comes from its bearer token.
 * Refusals are counted (`trainyard_api_refused_total`) and logged with the route and the reason.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly log = new Logger('auth');

  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(READS) private readonly reads: ReadModel,
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(SUBSCRIPTIONS) private readonly subscriptions: SubscriptionDirectory,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const route = `${req.method} ${req.routeOptions?.url ?? req.url}`;
    let rule = ruleFor(req.method, req.routeOptions?.url);
    if (req.routeOptions?.url === '/metrics' && this.options.metricsPublic) rule = { access: 'public' };
    if (!rule) {
      this.log.error(`${route} has no authorization rule (apps/api/src/auth/route-rules.ts): refused`);
      throw this.refuse(req, route, 403, 'no-rule', new TrainyardError(ErrorCode.Forbidden, `${route} has no authorization rule`));
    }
    if (rule.access === 'public') return true;

    const auth = await this.authenticator.authenticate(req.headers.authorization);
    if (!auth.ok) throw this.refuse(req, route, 401, auth.reason, new TrainyardError(ErrorCode.Unauthenticated, auth.message));
    const principal = auth.principal;
    const forbid = (permission: string, where = '') =>
      this.refuse(req, route, 403, permission, new TrainyardError(ErrorCode.Forbidden, `${principal.id} lacks ${permission}${where}`, [{ path: '', code: FieldCode.Forbidden, message: `needs ${permission}${where}` }]));

    const decided = await this.decide(rule, principal, req, forbid);
    setRequestAuth(req, { principal, ...decided });
    return true;
  }

  private async decide(rule: Exclude<RouteRule, { access: 'public' }>, principal: Principal, req: FastifyRequest, forbid: (p: string, where?: string) => Error) {
    switch (rule.access) {
      case 'signed-in':
        return {};
      case 'any-role':
        if (!holdsAnything(principal)) throw forbid('a role', ' (no role is bound to it)');
        return {};
      case 'cluster':
        if (!may(principal, rule.permission)) throw forbid(rule.permission);
        return {};
      case 'project': {
        const project = projectOfBody(req.body);
        if (!may(principal, rule.permission, { project, createdBy: '' })) throw forbid(rule.permission, ` in project ${project}`);
        return { project };
      }
      case 'project-query': {
        if (may(principal, rule.permission)) return {};
        const project = (req.query as Record<string, unknown> | undefined)?.project;
        if (typeof project !== 'string') throw forbid(rule.permission, ' (cluster-wide, or name a ?project= where you hold it)');
        if (!may(principal, rule.permission, { project, createdBy: '' })) throw forbid(rule.permission, ` in project ${project}`);
        return { project };
      }
      case 'path-project': {
        const project = (req.params as Record<string, unknown> | undefined)?.[rule.param ?? 'project_id'];
        // A malformed project id is the handler's 400.
        if (typeof project !== 'string' || !PROJECT_ID.test(project)) return {};
        if (!may(principal, rule.permission, { project, createdBy: '' })) throw forbid(rule.permission, ` in project ${project}`);
        return { project };
      }
      case 'job': {
        const params = req.params as Record<string, unknown> | undefined;
        const id = params?.id ?? params?.training_job_id;
        // A malformed id is the handler's 400; a missing job its 404.
        if (typeof id !== 'string' || !SUBJECT_TOKEN.test(id)) return {};
        const job = await this.reads.getJob(id);
        if (!job || job.state === 'deleted') return {};
        const scope = jobScope(job);
        // No existence leak: a job one may not read is a job that is not there; nor is one of another project than a v2 path names.
        const inPath = params?.project_id;
        if (!may(principal, 'job:read', scope) || (inPath !== undefined && inPath !== scope.project)) throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
        if (!may(principal, rule.permission, scope)) throw forbid(rule.permission, ` on job ${id}`);
        return { job: scope };
      }
      case 'subscription-target': {
        const body = (req.body ?? {}) as Record<string, unknown>;
        // Creating is `x:own` on what one makes: the subscription will be the caller's.
        const own = (project: string) => ({ project, createdBy: principal.id });
        if (typeof body.job === 'string' && SUBJECT_TOKEN.test(body.job)) {
          const job = await this.reads.getJob(body.job);
          if (!job || job.state === 'deleted') return {};
          const scope = jobScope(job);
          if (!may(principal, 'job:read', scope)) throw new TrainyardError(ErrorCode.NotFound, `no training job ${body.job}`);
          if (!may(principal, rule.permission, own(scope.project))) throw forbid(rule.permission, ` in project ${scope.project}`);
          return { project: scope.project };
        }
        if (typeof body.project === 'string' && PROJECT_ID.test(body.project)) {
          if (!may(principal, rule.permission, own(body.project))) throw forbid(rule.permission, ` in project ${body.project}`);
          return { project: body.project };
        }
        // A body naming neither is the handler's 400, for a caller who may subscribe somewhere.
        const somewhere = [rule.permission, `${rule.permission}:own`];
        if (!principal.permissions.some((p) => somewhere.includes(p)) && !principal.projects.some((p) => p.permissions.some((x) => somewhere.includes(x)))) throw forbid(rule.permission);
        return {};
      }
      case 'subscription': {
        const id = (req.params as Record<string, unknown> | undefined)?.id;
        const s = typeof id === 'string' ? this.subscriptions.get(id) : undefined;
        // A malformed id is the handler's 400; a missing subscription its 404.
        if (!s) return {};
        if (!may(principal, 'job:read', { project: s.scope.project, createdBy: '' })) throw new TrainyardError(ErrorCode.NotFound, `no subscription ${id}`);
        if (!may(principal, rule.permission, { project: s.scope.project, createdBy: s.createdBy })) throw forbid(rule.permission, ` on subscription ${id}`);
        return { project: s.scope.project };
      }
    }
  }

  private refuse(req: FastifyRequest, route: string, status: 401 | 403, reason: string, err: TrainyardError): TrainyardError {
    refused.inc({ status: String(status), reason: status === 401 ? reason : 'forbidden', route });
    this.log.warn(`refused ${status} ${route} from ${req.ip}: ${status === 401 ? reason : err.message}`);
    return err;
  }
}

/** The project a submission names (`metadata.project`, default `default`). */
function projectOfBody(body: unknown): string {
  const p = (body as { metadata?: { project?: unknown } } | null)?.metadata?.project;
  return typeof p === 'string' && p ? p : DEFAULT_PROJECT;
}
