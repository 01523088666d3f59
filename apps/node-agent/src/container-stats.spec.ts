import { describe, expect, it } from 'vitest';
import { countersFromStats } from './container-stats';
import { taskMetrics } from './resource-sampler';

describe('container stats', () => {
  it('container stats - engine stats (cgroup v2) become counters, and two of them the guide metrics', () => {
    const at = (cpuNs: number, read: number) => ({
      cpu_stats: { cpu_usage: { total_usage: cpuNs } },
      memory_stats: { usage: 300 * 2 ** 20, stats: { inactive_file: 44 * 2 ** 20 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: read }, { op: 'write', value: 0 }] },
      pids_stats: { current: 3 },
    });
    const prev = countersFromStats(at(2e9, 0));
    const cur = countersFromStats(at(3.5e9, 10 * 1024));
    expect(cur).toEqual({ cpuTicks: 350, rssBytes: 256 * 2 ** 20, readBytes: 10 * 1024, writeBytes: 0, processes: 3 });
    expect(taskMetrics(prev, cur, 1000, { cpu: 2, memoryMiB: 512 })).toMatchObject({
      ma_container_cpu_used_core: 1.5,
      ma_container_cpu_util: 75,
      ma_container_memory_used_meg: 256,
      ma_container_memory_util: 50,
      ma_container_disk_read_kilobytes: 10,
    });
  });

  it('container stats - a container with a network of its own: bytes over its interfaces but loopback', () => {
    const c = countersFromStats({ pids_stats: { current: 1 }, networks: { eth0: { rx_bytes: 700, tx_bytes: 90 }, eth1: { rx_bytes: 300, tx_bytes: 10 }, lo: { rx_bytes: 5, tx_bytes: 5 } } });
    expect([c.rxBytes, c.txBytes]).toEqual([1000, 100]);
    // `--network host` (the runtime's default here): no interfaces reported, no counters.
    expect(countersFromStats({ pids_stats: { current: 1 } })).not.toHaveProperty('rxBytes');
  });

  it('container stats - cgroup v1 names (Read, total_inactive_file); a stopped container has no processes', () => {
    const v1 = countersFromStats({
      memory_stats: { usage: 100, stats: { total_inactive_file: 40 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'Read', value: 5 }, { op: 'Write', value: 7 }, { op: 'Total', value: 12 }] },
    });
    expect(v1).toMatchObject({ rssBytes: 60, readBytes: 5, writeBytes: 7, processes: 1 });
    expect(countersFromStats({ memory_stats: {}, blkio_stats: { io_service_bytes_recursive: null } }).processes).toBe(0);
  });
});
