import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ErrorCode, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import { metricsText } from '@trainyard/telemetry';
import type { FastifyReply } from 'fastify';
import { READS } from '../api.tokens';
import type { ReadModel } from '../read-model';
import { ParamCheck } from '../system/query-params';
import { API_METRICS, type ApiMetricsPort } from './api-metrics-port';
import { toSeries, WINDOWS, type WindowName } from './metric-series';

/** Prometheus `/metrics`, and a job's resource metrics over a time window (the monitoring tab). */
@Controller()
export class MetricsController {
  constructor(
    @Inject(API_METRICS) private readonly metrics: ApiMetricsPort,
    @Inject(READS) private readonly reads: ReadModel,
  ) {}

  @Get('metrics')
  async prometheus(@Res() reply: FastifyReply) {
    const { contentType, body } = await metricsText();
    return reply.header('content-type', contentType).send(body);
  }

  /**
   * `?window=15m|30m|1h|6h|12h|24h` (default 1h, ending now) or `?from&to` (ISO-8601), `&task`:
   * one series per metric, task and node, averaged into at most 360 steps.
   */
  @Get('v1/training-jobs/:id/metrics')
  async series(@Param('id') id: string, @Query() q: Record<string, string>) {
    const check = new ParamCheck();
    check.matches('id', id, SUBJECT_TOKEN, 'a job id');
    const window = check.oneOf('window', q.window, Object.keys(WINDOWS) as WindowName[]) ?? '1h';
    if (q.task !== undefined) check.matches('task', q.task, /^worker-\d{1,4}$/, 'a task name like worker-0');
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - WINDOWS[window] * 60_000);
    if (Number.isNaN(to.getTime())) check.matches('to', '', /x/, 'an ISO-8601 instant');
    if (Number.isNaN(from.getTime()) || from >= to) check.matches('from', '', /x/, 'an ISO-8601 instant before to');
    check.done();
    const job = await this.reads.getJob(id);
    if (!job || job.state === 'deleted') throw new TrainyardError(ErrorCode.NotFound, `no training job ${id}`);
    const rows = await this.metrics.samples({ jobId: id, from, to, task: q.task });
    return { jobId: id, from: from.toISOString(), to: to.toISOString(), ...toSeries(rows, from, to) };
  }
}
