import { ContainerMetrics, type ContainerMetricId } from '@trainyard/contracts';

export interface SampleRow {
  task: string;
  nodeId: string;
  ts: string;
  values: Record<string, number>;
}

export interface MetricSeries {
  metric: string;
  unit: string;
  task: string;
  nodeId: string;
  /** `[ISO-8601 start of the step, average over the step]`, oldest first. */
  points: Array<[string, number]>;
}

/** The monitoring tab's windows (ch14 §5.1): 15 min … 24 h. */
export const WINDOWS = { '15m': 15, '30m': 30, '1h': 60, '6h': 360, '12h': 720, '24h': 1440 } as const;
export type WindowName = keyof typeof WINDOWS;

/**
 * Samples as one series per metric, task and node, averaged into steps so a 24 h window stays a few
 * hundred points (`maxPoints`). Pure.
 */
export function toSeries(rows: readonly SampleRow[], from: Date, to: Date, maxPoints = 360): { stepSeconds: number; series: MetricSeries[] } {
  const span = Math.max(1, to.getTime() - from.getTime());
  const stepMs = Math.max(1000, Math.ceil(span / maxPoints / 1000) * 1000);
  const acc = new Map<string, { s: MetricSeries; buckets: Map<number, { sum: number; n: number }> }>();
  for (const r of rows) {
    const bucket = Math.floor((Date.parse(r.ts) - from.getTime()) / stepMs);
    for (const [metric, value] of Object.entries(r.values)) {
      const key = `${metric}\u0000${r.task}\u0000${r.nodeId}`;
      let a = acc.get(key);
      if (!a) {
        const unit = ContainerMetrics[metric as ContainerMetricId]?.unit ?? '';
        a = { s: { metric, unit, task: r.task, nodeId: r.nodeId, points: [] }, buckets: new Map() };
        acc.set(key, a);
      }
      const b = a.buckets.get(bucket) ?? { sum: 0, n: 0 };
      b.sum += value;
      b.n++;
      a.buckets.set(bucket, b);
    }
  }
  const series = [...acc.values()].map(({ s, buckets }) => ({
    ...s,
    points: [...buckets.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([b, { sum, n }]) => [new Date(from.getTime() + b * stepMs).toISOString(), Math.round((sum / n) * 1000) / 1000] as [string, number]),
  }));
  series.sort((a, b) => a.metric.localeCompare(b.metric) || a.task.localeCompare(b.task) || a.nodeId.localeCompare(b.nodeId));
  return { stepSeconds: stepMs / 1000, series };
}
