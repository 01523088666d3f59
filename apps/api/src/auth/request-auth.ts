import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type Caller, type CommandPrincipal, DEFAULT_PROJECT, type JobScope, permissionsIn, type Principal } from '@trainyard/contracts';
import type { FastifyRequest } from 'fastify';

/** What `AuthGuard` learnt about a request: who calls, and the job or project the route is about. */
export interface RequestAuth {
  principal: Principal;
  /** Set on `job` routes once the job was found and may be read. */
  job?: JobScope;
  /** The project a `project` or `project-query` route was decided for. */
  project?: string;
  /** Where the request came from (audit): the peer address and the user agent. */
  source?: string;
  userAgent?: string;
}

const AUTH = new WeakMap<object, RequestAuth>();

export function setRequestAuth(req: FastifyRequest, auth: RequestAuth): void {
  AUTH.set(req.raw, { source: req.ip, ...(typeof req.headers['user-agent'] === 'string' ? { userAgent: req.headers['user-agent'].slice(0, 256) } : {}), ...auth });
}

export function requestAuth(req: FastifyRequest): RequestAuth | undefined {
  return AUTH.get(req.raw);
}

/** `@Auth() auth: RequestAuth` in a handler: the guard's findings (every non-public route has them). */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestAuth => {
  const auth = requestAuth(ctx.switchToHttp().getRequest<FastifyRequest>());
  if (!auth) throw new Error('no principal on a route that needs one (is AuthGuard registered?)');
  return auth;
});

/** The caller a command carries: the principal, with its permissions in the job's project. */
export function callerIn(auth: RequestAuth, project: string = auth.job?.project ?? auth.project ?? DEFAULT_PROJECT): Caller {
  return { id: auth.principal.id, permissions: permissionsIn(auth.principal, project) };
}

/** What the `Ty-Principal` header says: the caller in the project, its token, address and user agent. */
export function commandPrincipal(auth: RequestAuth, project?: string): CommandPrincipal {
  return {
    ...callerIn(auth, project),
    ...(auth.principal.tokenId ? { tokenId: auth.principal.tokenId } : {}),
    ...(auth.source ? { source: auth.source } : {}),
    ...(auth.userAgent ? { userAgent: auth.userAgent } : {}),
  };
}
