import { describe, expect, it } from 'vitest';
import type { RunningJob } from '../cluster-view';
import { quotaUsage } from './quota-usage';

const job = (jobId: string, project: string | undefined, nodes: number, flavor: RunningJob['flavor'], pool = 'p'): RunningJob => ({
  jobId, pool, priority: 1, preemptible: true, flavor, nodeIds: Array.from({ length: nodes }, (_, i) => `n${i}`), ...(project ? { project } : {}),
});

describe('quotaUsage', () => {
  it('counts every task of the project in the pool per named resource; borrowed is what is beyond the guarantee', () => {
    const running = [
      job('a1', 'a', 2, { cpu: 4, memoryMiB: 100, gpu: 4, acceleratorType: 'h100' }),
      job('a2', 'a', 1, { cpu: 2, memoryMiB: 100, gpu: 2, acceleratorType: 'a100' }),
      job('b1', 'b', 1, { cpu: 2, memoryMiB: 100, gpu: 8 }),
      job('a3', 'a', 1, { cpu: 2, memoryMiB: 100, gpu: 8 }, 'other'),
      job('d1', undefined, 1, { cpu: 1, memoryMiB: 100 }),
    ];
    const u = quotaUsage([
      { project: 'a', pool: 'p', guaranteed: { gpu: 8, 'gpu/h100': 4 }, limit: { cpu: 20 }, cohort: 'c' },
      { project: 'b', pool: 'p', guaranteed: { gpu: 16 } },
      { project: 'default', pool: 'p', guaranteed: { cpu: 0 } },
    ], running);
    expect(u).toEqual([
      { project: 'a', pool: 'p', used: { cpu: 10, gpu: 10, 'gpu/h100': 8 }, borrowed: { cpu: 10, gpu: 2, 'gpu/h100': 4 } },
      { project: 'b', pool: 'p', used: { gpu: 8 }, borrowed: { gpu: 0 } },
      { project: 'default', pool: 'p', used: { cpu: 1 }, borrowed: { cpu: 1 } },
    ]);
  });
});
