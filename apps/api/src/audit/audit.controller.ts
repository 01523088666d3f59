import { Controller, Get, Inject, Query } from '@nestjs/common';
import { PROJECT_ID, SUBJECT_TOKEN } from '@trainyard/contracts';
import { Auth, type RequestAuth } from '../auth/request-auth';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';

/**
 * `GET /v1/audit?actor&project&job&node&since&until&limit&before`: the commands principals had
 * committed on jobs and nodes, newest first, each with its token id, source address and user agent
 * (the commit's metadata); `before` is the `next` of the previous page. Admins read everything; a
 * maintainer names its project (`?project=`, checked by the guard) and reads that project's jobs only.
 */
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(READS) private readonly reads: ReadModel) {}

  @Get()
  async list(@Auth() auth: RequestAuth, @Query() q: Record<string, string>) {
    const check = new ParamCheck();
    if (q.actor !== undefined) check.matches('actor', q.actor, /^.{1,256}$/su, 'a principal id like user:alice');
    if (q.project !== undefined) check.matches('project', q.project, PROJECT_ID, 'a project id');
    if (q.job !== undefined) check.matches('job', q.job, SUBJECT_TOKEN, 'a job id');
    if (q.node !== undefined) check.matches('node', q.node, SUBJECT_TOKEN, 'a node id');
    const since = check.instant('since', q.since);
    const until = check.instant('until', q.until);
    const limit = check.int('limit', q.limit, { min: 1, max: 500, fallback: 100 });
    const beforeSeq = q.before === undefined ? undefined : check.int('before', q.before, { min: 1, max: Number.MAX_SAFE_INTEGER });
    check.done();
    // The guard let a non-admin in for its `?project=` only: then nothing beyond that project.
    const project = auth.project ?? q.project;
    const items = await this.reads.listAudit({ actor: q.actor, jobId: q.job, nodeId: q.node, since, until, limit, beforeSeq, ...(project ? { projects: [project] } : {}) });
    return { items, next: items.length === limit ? items[items.length - 1].seq : null };
  }
}

