import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { BINDING_SUBJECT, ErrorCode, FieldCode, type Grant, GRANTS, PROJECT_ID, Subjects, type TokenView, TrainyardError } from '@trainyard/contracts';
import type { TokenRecord } from '@trainyard/domain';
import { ParamCheck } from '../system/query-params';
import { IDENTITY } from './auth.tokens';
import type { IdentityDirectory } from './identity-directory';
import { Auth, type RequestAuth } from './request-auth';
import { newToken } from './token-secret';

/** Longest token life one may ask for: a year. */
const MAX_EXPIRY_SECONDS = 366 * 24 * 3600;

/**
 * Tokens, projects and role bindings (issue 11): admins make them, and every change is an event of
 * the log (`ty.ev.iam.…`). A new token's secret is in the answer to its creation and nowhere else.
 */
@Controller()
export class IamController {
  constructor(@Inject(IDENTITY) private readonly identity: IdentityDirectory) {}

  /** `{ roles: [...], project?, subject?, expiresInSeconds?, description? }` → the token, shown once. */
  @Post('v1/admin/tokens')
  @HttpCode(201)
  async createToken(@Auth() auth: RequestAuth, @Body() body: unknown) {
    const b = asObject(body);
    const check = new ParamCheck();
    const grants = grantList(check, b.roles);
    const project = b.project === undefined ? undefined : check.matches('project', String(b.project), PROJECT_ID, 'a project id');
    const subject = b.subject === undefined ? undefined : check.matches('subject', String(b.subject), BINDING_SUBJECT, 'user:<name> (or group:/token:)');
    const expires = b.expiresInSeconds === undefined ? undefined : check.int('expiresInSeconds', String(b.expiresInSeconds), { min: 1, max: MAX_EXPIRY_SECONDS });
    const description = check.text('description', b.description, { maxChars: 200 });
    check.done();
    const t = newToken();
    const expiresAt = expires === undefined ? undefined : new Date(Date.now() + expires * 1000).toISOString();
    await this.identity.execute(Subjects.iamToken(t.tokenId), {
      type: 'CreateToken',
      data: {
        tokenId: t.tokenId, secretSha256: t.secretSha256, subject: subject ?? `token:${t.tokenId}`, grants,
        ...(project ? { project } : {}), ...(expiresAt ? { expiresAt } : {}), ...(description ? { description } : {}), by: auth.principal.id,
      },
      metadata: { now: new Date().toISOString() },
    }, auth.principal.id);
    return { ...tokenView(this.identity.view.tokens.get(t.tokenId)!), token: t.token };
  }

  @Get('v1/admin/tokens')
  listTokens() {
    return { items: [...this.identity.view.tokens.values()].map(tokenView) };
  }

  @Post('v1/admin/tokens/:id/revoke')
  @HttpCode(200)
  async revokeToken(@Auth() auth: RequestAuth, @Param('id') id: string, @Body() body: unknown) {
    const check = new ParamCheck();
    check.matches('id', id, /^[a-z2-7]{12}$/, 'a token id');
    const reason = check.text('reason', asObject(body).reason, { maxChars: 200 });
    check.done();
    await this.identity.execute(Subjects.iamToken(id), { type: 'RevokeToken', data: { tokenId: id, by: auth.principal.id, ...(reason ? { reason } : {}) }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    return tokenView(this.identity.view.tokens.get(id)!);
  }

  /** The projects the caller can see (all of them for admins), with their bindings for admins. */
  @Get('v1/projects')
  listProjects(@Auth() auth: RequestAuth) {
    const admin = auth.principal.permissions.includes('project:manage');
    const mine = new Set(auth.principal.projects.map((p) => p.id));
    const items = [...this.identity.view.projects.values()]
      .filter((p) => admin || mine.has(p.id))
      .map((p) => ({
        id: p.id, description: p.description ?? null, createdAt: p.createdAt, createdBy: p.createdBy,
        ...(admin ? { bindings: [...p.bindings].flatMap(([subject, grants]) => [...grants].map((grant) => ({ subject, role: grant }))) } : {}),
      }));
    return { items };
  }

  @Post('v1/projects')
  @HttpCode(201)
  async createProject(@Auth() auth: RequestAuth, @Body() body: unknown) {
    const b = asObject(body);
    const check = new ParamCheck();
    const id = check.matches('id', typeof b.id === 'string' ? b.id : '', PROJECT_ID, 'a project id: lower-case letters, digits, - and _, at most 63');
    const description = check.text('description', b.description, { maxChars: 256 });
    check.done();
    await this.identity.execute(Subjects.iamProject(id), { type: 'CreateProject', data: { projectId: id, by: auth.principal.id, ...(description ? { description } : {}) }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    const p = this.identity.view.projects.get(id)!;
    return { id: p.id, description: p.description ?? null, createdAt: p.createdAt, createdBy: p.createdBy, bindings: [] };
  }

  /** `{ subject, role }`: `subject` holds `role` (viewer, member, maintainer) in the project. */
  @Post('v1/projects/:id/bindings')
  @HttpCode(200)
  bindInProject(@Auth() auth: RequestAuth, @Param('id') id: string, @Body() body: unknown) {
    return this.bind(auth, 'BindRole', id, body);
  }

  @Delete('v1/projects/:id/bindings')
  @HttpCode(200)
  unbindInProject(@Auth() auth: RequestAuth, @Param('id') id: string, @Body() body: unknown) {
    return this.bind(auth, 'UnbindRole', id, body);
  }

  /** Cluster-wide bindings: operator, admin, `job:setHighPriority`. */
  @Get('v1/admin/bindings')
  listClusterBindings() {
    return { items: [...this.identity.view.cluster].flatMap(([subject, grants]) => [...grants].map((grant) => ({ subject, role: grant }))) };
  }

  @Post('v1/admin/bindings')
  @HttpCode(200)
  bindClusterWide(@Auth() auth: RequestAuth, @Body() body: unknown) {
    return this.bind(auth, 'BindRole', undefined, body);
  }

  @Delete('v1/admin/bindings')
  @HttpCode(200)
  unbindClusterWide(@Auth() auth: RequestAuth, @Body() body: unknown) {
    return this.bind(auth, 'UnbindRole', undefined, body);
  }

  private async bind(auth: RequestAuth, type: 'BindRole' | 'UnbindRole', project: string | undefined, body: unknown) {
    const b = asObject(body);
    const check = new ParamCheck();
    if (project !== undefined) check.matches('id', project, PROJECT_ID, 'a project id');
    const subject = check.matches('subject', typeof b.subject === 'string' ? b.subject : '', BINDING_SUBJECT, 'user:<name>, group:<name> or token:<id>');
    const grant = check.oneOf('role', typeof b.role === 'string' && b.role ? b.role : '-', GRANTS);
    check.done();
    const subjectAt = project === undefined ? Subjects.iamCluster : Subjects.iamProject(project);
    const { seq } = await this.identity.execute(subjectAt, { type, data: { subject, grant: grant!, by: auth.principal.id, ...(project ? { project } : {}) }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    return { subject, role: grant, project: project ?? null, bound: type === 'BindRole', seq };
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new TrainyardError(ErrorCode.ValidationFailed, 'the request body must be a JSON object', [{ path: '', code: FieldCode.InvalidType, message: 'expected a JSON object' }]);
  return body as Record<string, unknown>;
}

function grantList(check: ParamCheck, raw: unknown): Grant[] {
  const list = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : [];
  if (!list.length) {
    check.oneOf('roles', '-', GRANTS); // reports "must be one of …"
    return [];
  }
  return list.slice(0, 8).map((r, i) => check.oneOf(`roles[${i}]`, typeof r === 'string' ? r : '-', GRANTS)).filter((g): g is Grant => g !== undefined);
}

/** A token as listed: never its secret nor the secret's hash. */
function tokenView(t: TokenRecord): TokenView {
  return {
    id: t.tokenId, subject: t.subject, roles: t.grants, project: t.project ?? null, description: t.description ?? null,
    createdAt: t.createdAt, createdBy: t.createdBy, expiresAt: t.expiresAt ?? null, revokedAt: t.revokedAt ?? null,
  };
}
