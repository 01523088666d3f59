import { CONTAINER_METRIC_IDS, ContainerMetrics, type ResourceSample } from '@trainyard/contracts';
import { gauge } from './metric';

interface Latest {
  nodeId: string;
  jobId: string;
  task: string;
  attempt: number;
  at: number;
  staleAfterMs: number;
  values: Record<string, number>;
}

/**
 * The latest resource sample of every task attempt, as the guide's container metrics
 * (`ma_container_cpu_util{job_id,task,node_id}` …, ch14 §5.1). A series whose agent stopped sending
 * drops out after three sampling intervals.
 */
export class ContainerMetricsView {
  private readonly latest = new Map<string, Latest>();

  constructor(private readonly now: () => number = Date.now) {
    for (const id of CONTAINER_METRIC_IDS) {
      const g = gauge(id, `${ContainerMetrics[id].help} (${ContainerMetrics[id].unit})`, ['job_id', 'task', 'node_id']);
      // Several views in one process share the gauge; the last one created fills it.
      (g as unknown as { collect: () => void }).collect = () => {
        g.reset();
        for (const l of this.current()) if (l.values[id] !== undefined) g.set({ job_id: l.jobId, task: l.task, node_id: l.nodeId }, l.values[id]);
      };
    }
  }

  apply(s: ResourceSample): void {
    const at = Date.parse(s.time);
    for (const t of s.tasks) {
      const key = `${t.jobId}/${t.task}`;
      const prev = this.latest.get(key);
      if (prev && (prev.attempt > t.attempt || (prev.attempt === t.attempt && prev.at > at))) continue;
      this.latest.set(key, { nodeId: s.nodeId, jobId: t.jobId, task: t.task, attempt: t.attempt, at, staleAfterMs: 3 * s.intervalMs, values: t.values as Record<string, number> });
    }
  }

  current(): Latest[] {
    const now = this.now();
    const out: Latest[] = [];
    for (const [k, l] of this.latest) {
      if (now - l.at > l.staleAfterMs) this.latest.delete(k);
      else out.push(l);
    }
    return out;
  }
}
