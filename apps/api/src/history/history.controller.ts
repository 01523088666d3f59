import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { momentParam } from './moment-param';

const DAY_MS = 86_400_000;

/**
 * History reads (issue 17): a job's decisions (`explain`), its goodput and recovery ledger, and the
 * cluster's goodput for the dashboard.
 */
@Controller('v1')
export class HistoryController {
  constructor(@Inject(READS) private readonly reads: ReadModel) {}

  @Get('training-jobs/:id/explain')
  async explain(@Param('id') id: string) {
    this.checkId(id);
    const e = await this.reads.history().explain(id);
    if (!e) throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return e;
  }

  @Get('training-jobs/:id/goodput')
  async goodput(@Param('id') id: string) {
    this.checkId(id);
    const g = await this.reads.history().goodput(id, new Date());
    if (!g) throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    return g;
  }

  /** `?since=` (sequence or instant; default the last 24 h): every job with an event since then. */
  @Get('dashboard/goodput')
  async clusterGoodput(@Query() q: Record<string, string>) {
    const check = new ParamCheck();
    const since = check.instant('since', q.since);
    check.done();
    const now = new Date();
    return this.reads.history().clusterGoodput(since ?? new Date(now.getTime() - DAY_MS), now);
  }

  private checkId(id: string) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    check.done();
  }
}

/** `?at=` of the job, job list and node reads: the moment checked, or undefined when absent. */
export function atParam(q: Record<string, string | undefined>) {
  const check = new ParamCheck();
  const at = momentParam(check, 'at', q.at);
  check.done();
  return at;
}
