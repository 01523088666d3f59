import { Controller, Get, Inject, Query } from '@nestjs/common';
import { API_METRICS, type ApiMetricsPort } from '../metrics/api-metrics-port';
import { ParamCheck } from '../system/query-params';
import { dashboardTrend } from './dashboard-trend';

const DAY_MS = 86_400_000;

/** The dashboard's overview panel and its trend charts (ch14 §7.1, 大盘监控). */
@Controller('v1/dashboard')
export class DashboardTrendController {
  constructor(@Inject(API_METRICS) private readonly metrics: ApiMetricsPort) {}

  /** 训练作业概览 (L8815-8826): all jobs, jobs per state, and the cards the running jobs request. */
  @Get('overview')
  async overview() {
    const [{ byState }, requestedCards] = await Promise.all([this.metrics.jobGauges(), this.metrics.requestedCards()]);
    const { deleted: _gone, ...states } = byState;
    return { total: Object.values(states).reduce((a, b) => a + b, 0), byState: states, requestedCards };
  }

  /** `?days=7|30` (the guide's ranges), one point per day ending now. */
  @Get('trend')
  async trend(@Query('days') days: string | undefined) {
    const check = new ParamCheck();
    const n = Number(check.oneOf('days', days, ['7', '30'] as const) ?? 7);
    check.done();
    const to = new Date();
    const from = new Date(to.getTime() - n * DAY_MS);
    const points = dashboardTrend(await this.metrics.dashboardEvents({ from, to }), from, n, DAY_MS);
    return { from: from.toISOString(), to: to.toISOString(), stepSeconds: DAY_MS / 1000, points };
  }
}
