import { Controller, Get, Inject, Query } from '@nestjs/common';
import { API_METRICS, type ApiMetricsPort } from '../metrics/api-metrics-port';
import { ParamCheck } from '../system/query-params';
import { dashboardFigures } from './dashboard-figures';

const DAY_MS = 86_400_000;

/** `GET /v1/dashboard?from&to`: the guide's dashboard figures over the jobs created in the window (default the last 7 days). */
@Controller('v1/dashboard')
export class DashboardController {
  constructor(@Inject(API_METRICS) private readonly metrics: ApiMetricsPort) {}

  @Get()
  async get(@Query() q: Record<string, string>) {
    const check = new ParamCheck();
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 7 * DAY_MS);
    if (Number.isNaN(to.getTime())) check.matches('to', '', /x/, 'an ISO-8601 instant');
    if (Number.isNaN(from.getTime()) || from >= to) check.matches('from', '', /x/, 'an ISO-8601 instant before to');
    check.done();
    const { episodes, ...figures } = dashboardFigures(await this.metrics.dashboardEvents({ from, to }));
    return { from: from.toISOString(), to: to.toISOString(), ...figures, recoveryEpisodes: episodes };
  }
}
