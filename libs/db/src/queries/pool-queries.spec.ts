import { describe, expect, it } from 'vitest';
import { poolsOf } from './pool-queries';

const node = (id: string, pool: string, cpu: number, usedCpu: number, labels: Record<string, string> = {}) => ({
  id, host: id, pool, labels, registeredAt: '2026-01-01T00:00:00.000Z',
  capacity: { cpu, memoryMiB: 1024, gpu: 1, npu: 0 }, used: { cpu: usedCpu, memoryMiB: 0, gpu: 0, npu: 0 },
});

describe('pools', () => {
  it('pools - sums capacity, use and free per pool, and groups supernodes', () => {
    const pools = poolsOf([
      node('b', 'gpu', 4, 1.5, { 'trainyard.io/supernode': 'sn-1' }),
      node('a', 'gpu', 4, 0.1, { 'trainyard.io/supernode': 'sn-1' }),
      node('c', 'cpu', 2, 0.2),
    ]);
    expect(pools.map((p) => p.name)).toEqual(['cpu', 'gpu']);
    expect(pools[1]).toEqual({
      name: 'gpu', nodes: ['a', 'b'],
      capacity: { cpu: 8, memoryMiB: 2048, gpu: 2, npu: 0 },
      used: { cpu: 1.6, memoryMiB: 0, gpu: 0, npu: 0 },
      free: { cpu: 6.4, memoryMiB: 2048, gpu: 2, npu: 0 },
      supernodes: { 'sn-1': ['b', 'a'] },
    });
  });
});
