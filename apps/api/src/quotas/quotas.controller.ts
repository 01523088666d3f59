import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ErrorCode, Permission, PROJECT_ID, QUOTA_NAME, Subjects, TrainyardError, validateQuotaConfig, type Principal } from '@trainyard/contracts';
import type { QuotaRecord } from '@trainyard/domain';
import { COMMANDS } from '../api.tokens';
import { IDENTITY } from '../auth/auth.tokens';
import type { IdentityDirectory } from '../auth/identity-directory';
import { Auth, type RequestAuth } from '../auth/request-auth';
import type { CommandClient } from '../command-client';
import { ParamCheck } from '../system/query-params';

/** The scheduler's answer to `quotaUsage`: each quota's live usage. */
interface QuotaUsageReply {
  items: { project: string; pool: string; used: Record<string, number>; borrowed: Record<string, number> }[];
}

/**
 * Quotas per project and pool (issue 16): configuration is an event of the project's aggregate
 * (`QuotaSet`, `QuotaRemoved` on `ty.ev.iam.project.<id>`), written here like the rest of identity;
 * usage is the scheduler's live answer (what the planner counts), so a read asks the leader.
 */
@Controller()
export class QuotasController {
  constructor(
    @Inject(IDENTITY) private readonly identity: IdentityDirectory,
    @Inject(COMMANDS) private readonly commands: CommandClient,
  ) {}

  /** Every quota the caller may read (all of them with `quota:read` cluster-wide), with its usage. */
  @Get('v1/quotas')
  async list(@Auth() auth: RequestAuth) {
    const readable = readableQuotaProjects(auth.principal);
    const records = [...this.identity.view.projects.values()].filter((p) => !readable || readable.includes(p.id)).flatMap((p) => [...p.quotas.values()].map((q) => ({ project: p.id, q })));
    return { items: await this.withUsage(records) };
  }

  /** One project's quotas, for anyone holding a role there. */
  @Get('v1/projects/:id/quotas')
  async ofProject(@Param('id') id: string) {
    const p = this.project(id);
    return { items: await this.withUsage([...p.quotas.values()].map((q) => ({ project: id, q }))) };
  }

  /** `{ guaranteed, limit?, cohort?, weight? }`: the project's quota in the pool, replacing the last one. */
  @Put('v1/projects/:id/quotas/:pool')
  @HttpCode(200)
  async set(@Auth() auth: RequestAuth, @Param('id') id: string, @Param('pool') pool: string, @Body() body: unknown) {
    this.checkPath(id, pool);
    const v = validateQuotaConfig(body);
    if (!v.ok) throw new TrainyardError(ErrorCode.ValidationFailed, `quota has ${v.errors.length} error(s)`, v.errors);
    const { seq } = await this.identity.execute(Subjects.iamProject(id), { type: 'SetQuota', data: { project: id, pool, quota: v.quota, by: auth.principal.id }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    return { ...quotaView(id, this.identity.view.projects.get(id)!.quotas.get(pool)!), seq };
  }

  @Delete('v1/projects/:id/quotas/:pool')
  @HttpCode(200)
  async remove(@Auth() auth: RequestAuth, @Param('id') id: string, @Param('pool') pool: string) {
    this.checkPath(id, pool);
    const { seq } = await this.identity.execute(Subjects.iamProject(id), { type: 'RemoveQuota', data: { project: id, pool, by: auth.principal.id }, metadata: { now: new Date().toISOString() } }, auth.principal.id);
    return { project: id, pool, removed: true, seq };
  }

  private checkPath(id: string, pool: string): void {
    const check = new ParamCheck();
    check.matches('id', id, PROJECT_ID, 'a project id');
    check.matches('pool', pool, QUOTA_NAME, 'a pool name: letters, digits, - and _, at most 64');
    check.done();
  }

  private project(id: string) {
    const check = new ParamCheck();
    check.matches('id', id, PROJECT_ID, 'a project id');
    check.done();
    const p = this.identity.view.projects.get(id);
    if (!p) throw new TrainyardError(ErrorCode.NotFound, `no project ${id}`);
    return p;
  }

  /** Usage from the scheduler; without one answering, the configuration alone (`usage: null`). */
  private async withUsage(records: { project: string; q: QuotaRecord }[]) {
    let usage: QuotaUsageReply['items'] | undefined;
    if (records.length) {
      try {
        usage = (await this.commands.send<QuotaUsageReply>('scheduler', 'quotaUsage', {})).data.items;
      } catch (err) {
        if (!(err instanceof TrainyardError) || err.code !== ErrorCode.Unavailable) throw err;
      }
    }
    return records
      .sort((a, b) => a.q.pool.localeCompare(b.q.pool) || a.project.localeCompare(b.project))
      .map(({ project, q }) => {
        const u = usage?.find((x) => x.project === project && x.pool === q.pool);
        return { ...quotaView(project, q), usage: usage ? { used: u?.used ?? {}, borrowed: u?.borrowed ?? {} } : null };
      });
  }
}

/** Projects whose quotas the principal may read; undefined = every project. */
function readableQuotaProjects(p: Principal): string[] | undefined {
  if (p.permissions.includes(Permission.QuotaRead)) return undefined;
  return p.projects.filter((g) => g.permissions.includes(Permission.QuotaRead)).map((g) => g.id);
}

function quotaView(project: string, q: QuotaRecord) {
  return {
    project, pool: q.pool, guaranteed: q.guaranteed, limit: q.limit ?? null, cohort: q.cohort ?? null, weight: q.weight ?? 1,
    setAt: q.setAt, setBy: q.setBy,
  };
}
