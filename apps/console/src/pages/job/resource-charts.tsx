import { useEffect, useState } from 'react';
import { api } from '../../api/api-client';
import type { Job, MetricSeries } from '../../api/types';
import { LineChart } from '../../components/line-chart';
import { useAsync } from '../../components/use-async';

/** The guide's monitoring charts (Table 14-11, L10558-10945): id, name in English and Chinese, unit, scale. */
const CHARTS = [
  { id: 'ma_container_cpu_util', en: 'CPU usage', zh: 'CPU使用率', unit: '%', max: 100 },
  { id: 'ma_container_cpu_used_core', en: 'CPU cores used', zh: 'CPU使用核数', unit: 'cores' },
  { id: 'ma_container_memory_util', en: 'Physical memory usage', zh: '物理内存使用率', unit: '%', max: 100 },
  { id: 'ma_container_memory_used_meg', en: 'Physical memory used', zh: '物理内存使用量', unit: 'MB' },
  { id: 'ma_container_gpu_util', en: 'GPU utilisation', zh: 'GPU使用率', unit: '%', max: 100 },
  { id: 'ma_container_gpu_mem_util', en: 'GPU memory usage', zh: 'GPU显存使用率', unit: '%', max: 100 },
  { id: 'ma_container_gpu_mem_used_megabytes', en: 'GPU memory used', zh: 'GPU显存使用量', unit: 'MB' },
  { id: 'ma_container_npu_ai_core_util', en: 'NPU utilisation', zh: 'NPU使用率', unit: '%', max: 100 },
  { id: 'ma_container_npu_memory_util', en: 'NPU memory usage', zh: 'NPU显存使用率', unit: '%', max: 100 },
  { id: 'ma_container_npu_memory_used_megabytes', en: 'NPU memory used', zh: 'NPU显存使用量', unit: 'MB' },
  { id: 'ma_container_network_receive_bytes', en: 'Network receive rate', zh: '网络IO-下行速率', unit: 'B/s' },
  { id: 'ma_container_network_transmit_bytes', en: 'Network transmit rate', zh: '网络IO-上行速率', unit: 'B/s' },
] as const;
const WINDOWS = ['15m', '30m', '1h', '6h', '12h', '24h'] as const;

/**
 * Resource charts from the job's metric series, one line per task. The default window follows the
 * guide (L10554-10556): the last 15 minutes while the job is live, its whole run once it ended.
 */
export function ResourceCharts({ job }: { job: Job }) {
  const ended = job.endedAt !== null;
  const [win, setWin] = useState<string>(ended ? 'run' : '15m');
  const path = `/v1/training-jobs/${encodeURIComponent(job.id)}/metrics`;
  const range =
    win === 'run' && job.startedAt
      ? `?from=${encodeURIComponent(job.startedAt)}&to=${encodeURIComponent(new Date(Date.parse(job.endedAt ?? new Date().toISOString()) + 1000).toISOString())}`
      : `?window=${win === 'run' ? '1h' : win}`;
  const refresh = useRefresh(ended ? job.endedAt : null);
  const series = useAsync((signal) => api<{ series: MetricSeries[] }>('GET', path + range, undefined, { signal }), [path, range, job.updatedAt, refresh]);
  const byMetric = new Map<string, MetricSeries[]>();
  for (const s of series.data?.series ?? []) byMetric.set(s.metric, [...(byMetric.get(s.metric) ?? []), s]);
  const shown = CHARTS.filter((c) => byMetric.has(c.id));
  return (
    <section aria-labelledby="mon-h">
      <h2 id="mon-h">Monitoring</h2>
      <div className="field inline">
        <label htmlFor="mon-window">Time range</label>
        <select id="mon-window" value={win} onChange={(e) => setWin(e.target.value)}>
          {ended && <option value="run">The whole run</option>}
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              Last {w}
            </option>
          ))}
        </select>
      </div>
      {series.error && (
        <p role="alert" className="error">
          {series.error.message}
        </p>
      )}
      {series.data && shown.length === 0 && <p>No resource samples in this range (agents sample every few seconds while a task runs).</p>}
      <div className="charts">
        {shown.map((c) => (
          <LineChart
            key={c.id}
            title={`${c.en} · ${c.zh}`}
            unit={c.unit}
            max={'max' in c ? c.max : undefined}
            series={byMetric.get(c.id)!.map((s) => ({ label: `${s.task} on ${s.nodeId}`, points: s.points }))}
          />
        ))}
      </div>
    </section>
  );
}

/** How often the charts read the series again while samples may still be arriving. */
const REFRESH_MS = 5_000;
/** Samples reach the store a little after the task that sent them ended: read again this long after the end. */
const AFTER_END_MS = 60_000;

/**
 * A counter that ticks every few seconds while the job is live and for a minute after it ended, so a
 * chart appears once its samples are stored, without a reload (they are batched on their way in).
 */
function useRefresh(endedAt: string | null): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const until = endedAt ? Date.parse(endedAt) + AFTER_END_MS : Infinity;
    if (Date.now() >= until) return;
    const t = setInterval(() => (Date.now() < until ? setN((x) => x + 1) : clearInterval(t)), REFRESH_MS);
    return () => clearInterval(t);
  }, [endedAt]);
  return n;
}
