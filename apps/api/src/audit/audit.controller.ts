import { Controller, Get, Inject, Query } from '@nestjs/common';
import { SUBJECT_TOKEN } from '@trainyard/contracts';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';

/**
 * `GET /v1/audit?actor&job&node&since&until&limit&before`: the commands principals had committed on
 * jobs and nodes, newest first; `before` is the `next` of the previous page. Issue 11 adds each
 * command's token, source address and user agent, and restricts the route to admins and maintainers.
 */
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(READS) private readonly reads: ReadModel) {}

  @Get()
  async list(@Query() q: Record<string, string>) {
    const check = new ParamCheck();
    if (q.actor !== undefined) check.matches('actor', q.actor, /^.{1,256}$/su, 'a principal id like user:local');
    if (q.job !== undefined) check.matches('job', q.job, SUBJECT_TOKEN, 'a job id');
    if (q.node !== undefined) check.matches('node', q.node, SUBJECT_TOKEN, 'a node id');
    const since = check.instant('since', q.since);
    const until = check.instant('until', q.until);
    const limit = check.int('limit', q.limit, { min: 1, max: 500, fallback: 100 });
    const beforeSeq = q.before === undefined ? undefined : check.int('before', q.before, { min: 1, max: Number.MAX_SAFE_INTEGER });
    check.done();
    const items = await this.reads.listAudit({ actor: q.actor, jobId: q.job, nodeId: q.node, since, until, limit, beforeSeq });
    return { items, next: items.length === limit ? items[items.length - 1].seq : null };
  }
}

