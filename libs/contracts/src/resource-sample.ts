/**
 * The guide's container metrics (ch14 §5.1, Table 14-11): id, unit and meaning, exactly as the guide
 * names them. Samples carry values under these ids; Prometheus exposes them under the same names.
 * Percentages are 0–100. The NPU memory ids are marked deprecated by the guide (replaced by
 * `ma_container_npu_hbm_*` / `_ddr_memory_*` in bytes); samplers may send those too.
 */
export const ContainerMetrics = {
  ma_container_cpu_util: { unit: 'Percent', help: 'CPU usage of the task (of its requested cores), 0-100' },
  ma_container_cpu_used_core: { unit: 'Core', help: 'CPU cores used by the task' },
  ma_container_memory_util: { unit: 'Percent', help: 'Physical memory used / requested physical memory, 0-100' },
  ma_container_memory_used_meg: { unit: 'Megabytes', help: 'Physical memory actually used (working set)' },
  ma_container_gpu_util: { unit: 'Percent', help: 'GPU utilisation, 0-100' },
  ma_container_gpu_mem_util: { unit: 'Percent', help: 'Used GPU memory / GPU memory capacity, 0-100' },
  ma_container_gpu_mem_used_megabytes: { unit: 'Megabytes', help: 'GPU memory used' },
  ma_container_npu_ai_core_util: { unit: 'Percent', help: 'Ascend AI Core utilisation, 0-100' },
  ma_container_npu_memory_util: { unit: 'Percent', help: 'Used NPU memory / NPU memory capacity, 0-100 (deprecated by the guide)' },
  ma_container_npu_memory_used_megabytes: { unit: 'Megabytes', help: 'NPU memory used (deprecated by the guide)' },
  ma_container_network_receive_bytes: { unit: 'Bytes/Second', help: 'Inbound network traffic rate' },
  ma_container_network_transmit_bytes: { unit: 'Bytes/Second', help: 'Outbound network traffic rate' },
  ma_container_disk_read_kilobytes: { unit: 'Kilobytes/Second', help: 'Data read from disk per second' },
  ma_container_disk_write_kilobytes: { unit: 'Kilobytes/Second', help: 'Data written to disk per second' },
} as const;

export type ContainerMetricId = keyof typeof ContainerMetrics;
export const CONTAINER_METRIC_IDS = Object.keys(ContainerMetrics) as ContainerMetricId[];

/**
 * One node's resource sample, published by its agent every sampling interval on `ty.metrics.<nodeId>`
 * (plain NATS, not an event: decision 6). One entry per task attempt with a live process; a metric
 * the node cannot measure (no GPU, no per-process network counters) is simply absent.
 *
 * @example
 * { "nodeId": "gpu-07", "time": "2026-03-13T10:00:10.000Z", "intervalMs": 10000,
 *   "tasks": [{ "jobId": "j1", "task": "worker-0", "attempt": 1,
 *               "values": { "ma_container_cpu_util": 87.5, "ma_container_memory_used_meg": 812 } }] }
 */
export interface ResourceSample {
  nodeId: string;
  /** ISO-8601 instant the values were measured. */
  time: string;
  /** The agent's sampling interval: a series is stale after about three of them. */
  intervalMs: number;
  tasks: TaskResourceSample[];
}

export interface TaskResourceSample {
  jobId: string;
  task: string;
  attempt: number;
  values: Partial<Record<ContainerMetricId | (string & {}), number>>;
}

/** Checks a sample from the wire; `undefined` when malformed. Unknown metric ids are kept. */
export function decodeResourceSample(raw: unknown): ResourceSample | undefined {
  const s = raw as ResourceSample;
  if (!s || typeof s.nodeId !== 'string' || typeof s.time !== 'string' || Number.isNaN(Date.parse(s.time))) return undefined;
  if (!Number.isFinite(s.intervalMs) || !Array.isArray(s.tasks)) return undefined;
  const ok = s.tasks.every(
    (t) =>
      t && typeof t.jobId === 'string' && typeof t.task === 'string' && Number.isSafeInteger(t.attempt) &&
      t.values && typeof t.values === 'object' && Object.values(t.values).every((v) => typeof v === 'number' && Number.isFinite(v)),
  );
  return ok ? s : undefined;
}
