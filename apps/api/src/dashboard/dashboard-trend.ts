import type { TrendPoint } from '@trainyard/contracts';
import { dashboardFigures, type DashboardEvent } from './dashboard-figures';

/**
 * The dashboard's figures step by step (ch14 §7.1: trends over the last 7 or 30 days, L8848-8849):
 * each job and its recoveries count in the step it was created in, as the figures over a window do.
 * Pure; the point's shape is the contract's `TrendPoint`. `events` are the dashboard events of the jobs created in `[from, from + steps × stepMs)`.
 */
export function dashboardTrend(events: readonly DashboardEvent[], from: Date, steps: number, stepMs: number): TrendPoint[] {
  const stepOf = new Map<string, number>();
  for (const e of events) if (e.type === 'JobCreated') stepOf.set(e.jobId, Math.floor((Date.parse(e.time) - from.getTime()) / stepMs));
  const byStep: DashboardEvent[][] = Array.from({ length: steps }, () => []);
  for (const e of events) {
    const i = stepOf.get(e.jobId);
    if (i !== undefined && i >= 0 && i < steps) byStep[i].push(e);
  }
  return byStep.map((stepEvents, i) => {
    const f = dashboardFigures(stepEvents);
    return {
      from: new Date(from.getTime() + i * stepMs).toISOString(),
      to: new Date(from.getTime() + (i + 1) * stepMs).toISOString(),
      jobs: f.jobs.total,
      succeeded: f.jobs.succeeded,
      failed: f.jobs.failed,
      successRate: f.successRate,
      failureRate: f.failureRate,
      recoveryEnabledRate: f.recoveryEnabledRate,
      recoverySuccessRate: f.recoverySuccessRate,
      recoveryTimeSeconds: f.recoveryTimeSeconds?.mean ?? null,
    };
  });
}
