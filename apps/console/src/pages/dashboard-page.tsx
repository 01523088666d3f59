import { useState } from 'react';
import { api } from '../api/api-client';
import type { DashboardFigures, DashboardOverview, TrendPoint } from '../api/types';
import { LineChart } from '../components/line-chart';
import { useAsync } from '../components/use-async';
import { FILTER_STATES, stateLabel } from '../format/job-states';
import { formatDuration, percent } from '../format/time';

/**
 * The guide's training dashboard (大盘监控, ch14 §7.1): the overview, health and fault figures over
 * the last 7 or 30 days, and their trends day by day.
 */
export function DashboardPage() {
  const [days, setDays] = useState(7);
  const overview = useAsync((signal) => api<DashboardOverview>('GET', '/v1/dashboard/overview', undefined, { signal }), []);
  const figures = useAsync(
    (signal) => api<DashboardFigures>('GET', `/v1/dashboard?from=${new Date(Date.now() - days * 86_400_000).toISOString()}`, undefined, { signal }),
    [days],
  );
  const trend = useAsync((signal) => api<{ points: TrendPoint[] }>('GET', `/v1/dashboard/trend?days=${days}`, undefined, { signal }), [days]);
  const f = figures.data;
  const o = overview.data;
  const series = (pick: (p: TrendPoint) => number | null, scale = 1) => (trend.data?.points ?? []).filter((p) => pick(p) !== null).map((p) => [p.from, pick(p)! * scale] as [string, number]);
  const error = overview.error ?? figures.error ?? trend.error;
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <div className="field inline">
          <label htmlFor="dash-days">Period</label>
          <select id="dash-days" value={days} onChange={(e) => setDays(Number(e.target.value))}>
            <option value={7}>Last 7 days</option>
            <option value={30}>Last 30 days</option>
          </select>
        </div>
      </div>
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <section aria-labelledby="ov-h">
        <h2 id="ov-h">
          Overview <span lang="zh">训练作业概览</span>
        </h2>
        <dl className="figures">
          <Figure label="All jobs" zh="作业总数" value={o ? String(o.total) : '—'} />
          <Figure label="Cards requested now" zh="当前资源请求量（卡）" value={o ? `${o.requestedCards.gpu} GPU · ${o.requestedCards.npu} NPU` : '—'} />
          {FILTER_STATES.filter((s) => o?.byState[s]).map((s) => (
            <Figure key={s} label={stateLabel(s).en} zh={stateLabel(s).zh} value={String(o!.byState[s])} />
          ))}
        </dl>
      </section>
      <section aria-labelledby="health-h">
        <h2 id="health-h">
          Health and faults <span lang="zh">健康监测</span>
        </h2>
        <dl className="figures">
          <Figure label="Job success rate" zh="作业运行成功率" value={percent(f?.successRate)} testId="success-rate" />
          <Figure label="Job failure rate" zh="作业失败率" value={percent(f?.failureRate)} />
          <Figure label="Fault recovery enabled" zh="故障恢复开启率" value={percent(f?.recoveryEnabledRate)} />
          <Figure label="Recovery success rate" zh="作业恢复成功率" value={percent(f?.recoverySuccessRate)} />
          <Figure label="Recovery time (mean)" zh="作业恢复时长" value={f?.recoveryTimeSeconds ? formatDuration(f.recoveryTimeSeconds.mean * 1000) : '—'} />
          <Figure label="Jobs in the period" zh="周期内作业数" value={f ? String(f.jobs.total) : '—'} />
        </dl>
      </section>
      <section aria-labelledby="trend-h">
        <h2 id="trend-h">Trends, day by day</h2>
        {trend.data && (
          <div className="charts">
            <LineChart days title="Jobs created" unit="jobs" series={[{ label: 'created', points: series((p) => p.jobs) }, { label: 'succeeded', points: series((p) => p.succeeded) }, { label: 'failed', points: series((p) => p.failed) }]} />
            <LineChart days title="Success and failure rates" unit="%" max={100} series={[{ label: 'success', points: series((p) => p.successRate, 100) }, { label: 'failure', points: series((p) => p.failureRate, 100) }]} />
            <LineChart days title="Recovery success rate" unit="%" max={100} series={[{ label: 'recovery success', points: series((p) => p.recoverySuccessRate, 100) }]} />
            <LineChart days title="Recovery time" unit="s" series={[{ label: 'mean', points: series((p) => p.recoveryTimeSeconds) }]} />
          </div>
        )}
      </section>
    </>
  );
}

function Figure({ label, zh, value, testId }: { label: string; zh: string; value: string; testId?: string }) {
  return (
    <div className="figure">
      <dt>
        {label} <span lang="zh">{zh}</span>
      </dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
