import { describe, expect, it } from 'vitest';
import { dashboardFigures, type DashboardEvent } from './dashboard-figures';

let seq = 0;
const ev = (jobId: string, type: string, minute: number, data: any = {}, task: string | null = null): DashboardEvent => ({
  seq: ++seq, jobId, type, time: new Date(Date.UTC(2026, 2, 13, 10, minute)).toISOString(), task, data,
});
const created = (jobId: string, retry = false) =>
  ev(jobId, 'JobCreated', 0, { spec: { metadata: { name: jobId, ...(retry ? { annotations: { 'fault-tolerance/job-retry-num': '3' } } : {}) } } });

describe('dashboard figures', () => {
  it('dashboard - rates over the jobs of the window, recoveries with their outcome and time', () => {
    const f = dashboardFigures([
      created('ok'), ev('ok', 'JobStarted', 1), ev('ok', 'JobSucceeded', 2),
      created('bad'), ev('bad', 'JobFailed', 3),
      created('healed', true), ev('healed', 'JobStarted', 1),
      ev('healed', 'RecoveryDecided', 4, { action: 'restart-in-place', tasks: ['worker-1'] }),
      ev('healed', 'TaskStarted', 5, { task: 'worker-0' }), // not the affected task
      ev('healed', 'TaskStarted', 6, { task: 'worker-1' }),
      ev('healed', 'RecoveryDecided', 7, { action: 'reschedule-job', tasks: [] }), ev('healed', 'JobStarted', 10), ev('healed', 'JobSucceeded', 20),
      created('gave-up', true), ev('gave-up', 'RecoveryDecided', 1, { action: 'reschedule-job', tasks: [] }), ev('gave-up', 'JobFailed', 2),
      created('no-op', true), ev('no-op', 'RecoveryDecided', 1, { action: 'fail', tasks: [] }),
      created('pending', true), ev('pending', 'RecoveryDecided', 1, { action: 'hang-restart', tasks: ['worker-0'] }),
    ]);
    expect(f.jobs).toEqual({ total: 6, succeeded: 2, failed: 2, recoveryEnabled: 4 });
    expect(f.successRate).toBeCloseTo(2 / 6);
    expect(f.failureRate).toBeCloseTo(2 / 6);
    expect(f.recoveryEnabledRate).toBeCloseTo(4 / 6);
    expect(f.recoveries).toEqual({
      succeeded: 2, failed: 1, inProgress: 1,
      byStrategy: { 'restart-in-place': { succeeded: 1, failed: 0, inProgress: 0 }, 'reschedule-job': { succeeded: 1, failed: 1, inProgress: 0 }, 'hang-restart': { succeeded: 0, failed: 0, inProgress: 1 } },
    });
    expect(f.recoverySuccessRate).toBeCloseTo(2 / 3);
    expect(f.recoveryTimeSeconds).toEqual({ mean: 150, p50: 180, max: 180 });
  });

  it('dashboard - no jobs, no rates', () => {
    expect(dashboardFigures([])).toMatchObject({ successRate: null, recoverySuccessRate: null, recoveryTimeSeconds: null });
  });
});
