import type { Capacity, Flavor } from '@trainyard/contracts';
import { type ClusterView, NodeLabel, type NodeView, type PendingJob, type RunningJob } from '@trainyard/scheduling';

/** Builders for hand-made cluster views (specs, dry runs). Defaults: pool `default`, nothing used. */
export const ZERO_CAPACITY: Capacity = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
export const T0 = '2026-03-13T10:00:00.000Z';
export const T0_MS = Date.parse(T0);
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const at = (ms: number) => new Date(T0_MS + ms).toISOString();

export interface NodeOptions {
  pool?: string;
  cpu?: number;
  memoryMiB?: number;
  gpu?: number;
  npu?: number;
  acceleratorType?: string;
  supernode?: string;
  labels?: Record<string, string>;
  used?: Partial<Capacity>;
  schedulable?: boolean;
}

export function node(id: string, o: NodeOptions = {}): NodeView {
  const cpu = o.cpu ?? 8;
  return {
    id,
    host: `host-${id}`,
    pool: o.pool ?? 'default',
    capacity: { cpu, memoryMiB: o.memoryMiB ?? cpu * 4096, gpu: o.gpu ?? 0, npu: o.npu ?? 0, ...(o.acceleratorType ? { acceleratorType: o.acceleratorType } : {}) },
    used: { ...ZERO_CAPACITY, ...o.used },
    labels: { ...(o.supernode ? { [NodeLabel.Supernode]: o.supernode } : {}), ...o.labels },
    schedulable: o.schedulable ?? true,
  };
}

/** `count` nodes `<prefix>0…` in one supernode. */
export const supernode = (prefix: string, count: number, o: NodeOptions = {}): NodeView[] =>
  Array.from({ length: count }, (_, i) => node(`${prefix}${i}`, { supernode: prefix, ...o }));

export type JobOptions = Partial<Omit<PendingJob, 'jobId' | 'flavor'>> & { flavor?: Partial<Flavor> };

let seq = 0;
export function job(jobId: string, o: JobOptions = {}): PendingJob {
  const { flavor, ...rest } = o;
  return { jobId, priority: 1, queuedSeq: ++seq, pool: 'default', nodeCount: 1, ...rest, flavor: { cpu: 1, memoryMiB: 1024, ...flavor } };
}

export type RunningOptions = Partial<Omit<RunningJob, 'jobId' | 'flavor' | 'nodeIds'>> & { flavor?: Partial<Flavor> };

export function running(jobId: string, nodeIds: string[], o: RunningOptions = {}): RunningJob {
  const { flavor, ...rest } = o;
  return { jobId, pool: 'default', priority: 1, preemptible: false, startedAt: at(-HOUR), ...rest, flavor: { cpu: 1, memoryMiB: 1024, ...flavor }, nodeIds };
}

/**
 * A view where `used` of every node is derived from the running jobs (what the service does), so
 * specs state running work once.
 */
export function view(nodes: NodeView[], queue: PendingJob[], more: Partial<ClusterView> = {}): ClusterView {
  const used = new Map<string, Capacity>();
  for (const r of more.running ?? []) {
    for (const id of r.nodeIds) {
      const u = used.get(id) ?? ZERO_CAPACITY;
      used.set(id, { cpu: u.cpu + r.flavor.cpu, memoryMiB: u.memoryMiB + r.flavor.memoryMiB, gpu: u.gpu + (r.flavor.gpu ?? 0), npu: u.npu + (r.flavor.npu ?? 0) });
    }
  }
  const withUsed = nodes.map((n) => {
    const u = used.get(n.id);
    return u ? { ...n, used: { cpu: n.used.cpu + u.cpu, memoryMiB: n.used.memoryMiB + u.memoryMiB, gpu: n.used.gpu + u.gpu, npu: n.used.npu + u.npu } } : n;
  });
  return { now: T0, nodes: withUsed, queue, ...more };
}
