import { describe, expect, it } from 'vitest';
import type { DashboardEvent } from './dashboard-figures';
import { dashboardTrend } from './dashboard-trend';

const DAY = 86_400_000;
const from = new Date(Date.UTC(2026, 2, 10));
let seq = 0;
const ev = (jobId: string, type: string, hours: number, data: any = {}): DashboardEvent => ({
  seq: ++seq, jobId, type, time: new Date(from.getTime() + hours * 3_600_000).toISOString(), task: null, data,
});

describe('dashboard trend', () => {
  it('dashboard trend - each job counts on the day it was created, even when it ends on a later day', () => {
    const points = dashboardTrend([
      ev('a', 'JobCreated', 1), ev('a', 'JobSucceeded', 2),
      ev('b', 'JobCreated', 3), ev('b', 'RecoveryDecided', 20, { action: 'restart-in-place', tasks: [] }), ev('b', 'JobStarted', 20.5), ev('b', 'JobFailed', 30),
      ev('c', 'JobCreated', 50), ev('c', 'JobSucceeded', 51),
    ], from, 3, DAY);
    expect(points.map((p) => [p.from, p.jobs, p.succeeded, p.failed])).toEqual([
      ['2026-03-10T00:00:00.000Z', 2, 1, 1],
      ['2026-03-11T00:00:00.000Z', 0, 0, 0],
      ['2026-03-12T00:00:00.000Z', 1, 1, 0],
    ]);
    expect(points[0]).toMatchObject({ successRate: 0.5, failureRate: 0.5, recoverySuccessRate: 1, recoveryTimeSeconds: 1800, to: '2026-03-11T00:00:00.000Z' });
    expect(points[1]).toMatchObject({ successRate: null, recoverySuccessRate: null, recoveryTimeSeconds: null });
  });

  it('dashboard trend - events of jobs created outside the steps are left out', () => {
    const points = dashboardTrend([ev('old', 'JobCreated', -5), ev('old', 'JobFailed', 1), ev('orphan', 'JobSucceeded', 2)], from, 1, DAY);
    expect(points[0].jobs).toBe(0);
    expect(points[0].failed).toBe(0);
  });
});
