import type { DashboardEventRow } from '@trainyard/db';

/** One job event as the dashboard reads it: a row of the dashboard query. */
export type DashboardEvent = DashboardEventRow;

/** Recovery actions that relaunch something (ch12 §4): the others (`fail`, `none`) are not recoveries. */
export const RECOVERY_ACTIONS = ['restart-in-place', 'hang-restart', 'reschedule-pod', 'reschedule-job'] as const;
const RELAUNCHING = new Set<string>(RECOVERY_ACTIONS);
const ENDS = new Set(['JobSucceeded', 'JobFailed', 'JobAbnormal', 'JobTerminated', 'JobDeleted']);

/** One recovery: decided at `startedAt`; `succeeded` once the job runs again, `failed` if it ended first. */
export interface RecoveryEpisode {
  jobId: string;
  strategy: string;
  startedAt: string;
  outcome: 'succeeded' | 'failed' | 'in-progress';
  /** Seconds from the decision (detection) to the job relaunched and running again. */
  seconds?: number;
}

/**
 * The guide's training dashboard (ch14 §7.1, "大盘监控") over the jobs created in a window, computed
 * from their events only:
 *
 * - success rate (作业运行成功率) = jobs with `JobSucceeded` ÷ all jobs;
 * - failure rate (作业失败率) = jobs with `JobFailed` or `JobAbnormal` ÷ all jobs;
 * - recovery-enabled rate (故障恢复开启率) = jobs submitted with `fault-tolerance/job-retry-num` ÷ all jobs;
 * - recovery success rate (作业恢复成功率) = successful ÷ (successful + failed) recoveries, where a
 *   recovery is a `RecoveryDecided` that relaunches (in place, hang restart, pod or job reschedule) and
 *   it succeeds when the job runs again (`TaskStarted` of an affected task or `JobStarted`) before it
 *   ends or another recovery is decided;
 * - recovery time (作业恢复时长) = seconds from that decision to the relaunch.
 *
 * Rates are null when their denominator is 0.
 */
export function dashboardFigures(events: readonly DashboardEvent[]) {
  const jobs = new Set<string>();
  const succeeded = new Set<string>();
  const failed = new Set<string>();
  const recoveryEnabled = new Set<string>();
  const episodes: RecoveryEpisode[] = [];
  const open = new Map<string, { e: RecoveryEpisode; tasks: Set<string> }>();
  const close = (jobId: string, outcome: 'succeeded' | 'failed', time: string) => {
    const o = open.get(jobId);
    if (!o) return;
    o.e.outcome = outcome;
    if (outcome === 'succeeded') o.e.seconds = (Date.parse(time) - Date.parse(o.e.startedAt)) / 1000;
    open.delete(jobId);
  };
  for (const e of events) {
    switch (e.type) {
      case 'JobCreated':
        jobs.add(e.jobId);
        if (e.data?.spec?.metadata?.annotations?.['fault-tolerance/job-retry-num'] !== undefined) recoveryEnabled.add(e.jobId);
        break;
      case 'RecoveryDecided': {
        close(e.jobId, 'failed', e.time);
        if (!RELAUNCHING.has(e.data?.action)) break;
        const ep: RecoveryEpisode = { jobId: e.jobId, strategy: e.data.action, startedAt: e.time, outcome: 'in-progress' };
        episodes.push(ep);
        open.set(e.jobId, { e: ep, tasks: new Set<string>(e.data.tasks ?? []) });
        break;
      }
      case 'TaskStarted': {
        const o = open.get(e.jobId);
        if (o && (o.tasks.size === 0 || o.tasks.has(e.data?.task ?? e.task))) close(e.jobId, 'succeeded', e.time);
        break;
      }
      case 'JobStarted':
        close(e.jobId, 'succeeded', e.time);
        break;
      default:
        if (ENDS.has(e.type)) {
          close(e.jobId, 'failed', e.time);
          if (e.type === 'JobSucceeded') succeeded.add(e.jobId);
          if (e.type === 'JobFailed' || e.type === 'JobAbnormal') failed.add(e.jobId);
        }
    }
  }
  const total = jobs.size;
  const ok = episodes.filter((r) => r.outcome === 'succeeded');
  const bad = episodes.filter((r) => r.outcome === 'failed');
  const times = ok.map((r) => r.seconds!).sort((a, b) => a - b);
  const rate = (n: number, d: number) => (d === 0 ? null : n / d);
  const byStrategy: Record<string, { succeeded: number; failed: number; inProgress: number }> = {};
  for (const r of episodes) {
    const s = (byStrategy[r.strategy] ??= { succeeded: 0, failed: 0, inProgress: 0 });
    if (r.outcome === 'succeeded') s.succeeded++;
    else if (r.outcome === 'failed') s.failed++;
    else s.inProgress++;
  }
  return {
    jobs: { total, succeeded: succeeded.size, failed: failed.size, recoveryEnabled: recoveryEnabled.size },
    successRate: rate(succeeded.size, total),
    failureRate: rate(failed.size, total),
    recoveryEnabledRate: rate(recoveryEnabled.size, total),
    recoveries: { succeeded: ok.length, failed: bad.length, inProgress: episodes.length - ok.length - bad.length, byStrategy },
    recoverySuccessRate: rate(ok.length, ok.length + bad.length),
    recoveryTimeSeconds: times.length
      ? { mean: times.reduce((a, b) => a + b, 0) / times.length, p50: times[Math.floor(times.length / 2)], max: times[times.length - 1] }
      : null,
    episodes,
  };
}

export type DashboardFigures = ReturnType<typeof dashboardFigures>;
