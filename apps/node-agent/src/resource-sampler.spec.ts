import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseNetDev, readGroupCounters, taskMetrics } from './resource-sampler';

describe('resource sampler', () => {
  it('resource sampler - the guide metrics from two readings, relative to the requested cores and memory', () => {
    const prev = { cpuTicks: 1000, rssBytes: 0, readBytes: 0, writeBytes: 0, processes: 2 };
    const cur = { cpuTicks: 1150, rssBytes: 512 * 2 ** 20, readBytes: 2048 * 10, writeBytes: 1024 * 10, processes: 2 };
    expect(taskMetrics(prev, cur, 1000, { cpu: 2, memoryMiB: 1024 })).toEqual({
      ma_container_cpu_used_core: 1.5,
      ma_container_cpu_util: 75,
      ma_container_memory_used_meg: 512,
      ma_container_memory_util: 50,
      ma_container_disk_read_kilobytes: 20,
      ma_container_disk_write_kilobytes: 10,
    });
    expect(taskMetrics(prev, { ...cur, cpuTicks: 2000 }, 1000, { cpu: 1 }).ma_container_cpu_util).toBe(100);
  });

  it('resource sampler - reads a real process group from /proc', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 5 & sleep 5'], { detached: true, stdio: 'ignore' });
    // The shell forks its two sleeps on its own time: poll until the whole group is there.
    let c = await readGroupCounters(child.pid!);
    for (let i = 0; i < 250 && c.processes < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      c = await readGroupCounters(child.pid!);
    }
    process.kill(-child.pid!, 'SIGKILL');
    expect(c.processes).toBe(3);
    expect(c.rssBytes).toBeGreaterThan(0);
    // On the node's own network namespace the counters are the node's, not the task's: none.
    expect(c.rxBytes).toBeUndefined();
  });

  it('resource sampler - network rates (L10859-10901) from two readings; none when a reading has no counters', () => {
    const base = { cpuTicks: 0, rssBytes: 0, readBytes: 0, writeBytes: 0, processes: 1 };
    const v = taskMetrics({ ...base, rxBytes: 1000, txBytes: 500 }, { ...base, rxBytes: 5000, txBytes: 2500 }, 2000, {});
    expect([v.ma_container_network_receive_bytes, v.ma_container_network_transmit_bytes]).toEqual([2000, 1000]);
    expect(taskMetrics(base, { ...base, rxBytes: 5000, txBytes: 2500 }, 2000, {})).not.toHaveProperty('ma_container_network_receive_bytes');
  });

  it('resource sampler - /proc/<pid>/net/dev summed over every interface but loopback', () => {
    const text = [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      '    lo:  999999     100    0    0    0     0          0         0   999999     100    0    0    0     0       0          0',
      '  eth0:    1200      10    0    0    0     0          0         0      340       4    0    0    0     0       0          0',
      'veth-a:      30       1    0    0    0     0          0         0       60       1    0    0    0     0       0          0',
    ].join('\n');
    expect(parseNetDev(text)).toEqual({ rxBytes: 1230, txBytes: 400 });
  });

});
