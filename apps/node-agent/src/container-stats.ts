import type { GroupCounters } from './resource-sampler';

/** The part of a Docker Engine stats answer (`GET /containers/{id}/stats?stream=false`) the sampler reads. */
export interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; stats?: Record<string, number | undefined> };
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  pids_stats?: { current?: number };
  /** Per interface of the container's own network namespace (absent with `--network host`). */
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
}

/**
 * A container's cumulative counters from one stats answer (pure), in the process sampler's units so
 * `taskMetrics` turns two of them into the guide's metrics: CPU nanoseconds as clock ticks (1/100 s),
 * memory as the working set (usage less inactive file cache: `container_memory_working_set_bytes`,
 * which the guide's `ma_container_memory_used_meg` equals), block I/O summed per direction (the op is
 * `Read` on cgroup v1, `read` on v2).
 */
export function countersFromStats(s: EngineStats): GroupCounters {
  const mem = s.memory_stats ?? {};
  const inactive = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? 0;
  const io = s.blkio_stats?.io_service_bytes_recursive ?? [];
  const sum = (op: string) => io.filter((e) => e.op.toLowerCase() === op).reduce((a, e) => a + e.value, 0);
  return {
    cpuTicks: (s.cpu_stats?.cpu_usage?.total_usage ?? 0) / 1e7,
    rssBytes: Math.max(0, (mem.usage ?? 0) - inactive),
    readBytes: sum('read'),
    writeBytes: sum('write'),
    // A stopped container reports no pids: 0 processes, so the sampler sends nothing for it.
    processes: s.pids_stats?.current ?? (mem.usage ? 1 : 0),
    ...networkOf(s.networks),
  };
}

/** Received and sent bytes over every interface but loopback, when the engine reports any. */
function networkOf(networks: EngineStats['networks']): Pick<GroupCounters, 'rxBytes' | 'txBytes'> {
  const ifs = Object.entries(networks ?? {}).filter(([name]) => name !== 'lo');
  if (ifs.length === 0) return {};
  return { rxBytes: ifs.reduce((a, [, n]) => a + (n.rx_bytes ?? 0), 0), txBytes: ifs.reduce((a, [, n]) => a + (n.tx_bytes ?? 0), 0) };
}
