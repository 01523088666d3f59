import { describe, expect, it } from 'vitest';
import { formatExperiment, formatExperimentList, formatFlavorLine, formatFlavorsTable } from './format-catalogue';

const rows = (text: string) => text.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));

describe('format-catalogue - yard flavors and yard experiment show', () => {
  const flavors = [
    { id: 'gpu.a100.1', pool: 'gpu', flavor: { cpu: 8, memoryMiB: 65536, gpu: 1, acceleratorType: 'nvidia-a100' }, maxNodeCount: 4 },
    { id: 'cpu.half', pool: 'default', name: 'half a core', flavor: { cpu: 0.5, memoryMiB: 256 } },
  ];

  it('formatFlavorsTable - sorted by pool and id; wide adds accelerator and node limit', () => {
    expect(rows(formatFlavorsTable(flavors))).toEqual([
      ['POOL', 'FLAVOR', 'NAME', 'CPU', 'MEMORY (MiB)', 'GPU', 'NPU'],
      ['default', 'cpu.half', 'half a core', '0.5', '256', '0', '0'],
      ['gpu', 'gpu.a100.1', '-', '8', '65536', '1', '0'],
    ]);
    expect(rows(formatFlavorsTable(flavors, { wide: true }))[2]).toEqual(['gpu', 'gpu.a100.1', '-', '8', '65536', '1', '0', 'nvidia-a100', '4']);
    expect(formatFlavorsTable([])).toMatch(/^No flavors/);
    expect(formatFlavorLine(flavors[0])).toBe('flavor gpu.a100.1 in pool gpu: 8 CPU, 65536 MiB, 1 GPU, nvidia-a100, at most 4 nodes\n');
  });

  it('formatExperiment - a row a job: parameters then metrics, - where a job has none; a clashing name is marked', () => {
    const text = formatExperiment({
      experiment: 'sweep',
      parameters: ['loss', 'lr'],
      metrics: ['acc', 'loss'],
      jobs: [
        { id: 'j1', name: 'a', state: 'completed', parameters: { lr: '0.1', loss: 'ce' }, metrics: { acc: 0.9, loss: 0.25 } },
        { id: 'j2', name: 'b', state: 'running', parameters: { lr: '0.01' }, metrics: {} },
      ],
    });
    const [head, , ...table] = text.split('\n');
    expect(head).toBe('Experiment sweep: 2 job(s); parameters loss, lr; final metrics acc, loss');
    expect(rows(table.join('\n'))).toEqual([
      ['ID', 'NAME', 'STATE', 'loss', 'lr', 'acc', 'metric:loss'],
      ['j1', 'a', 'completed', 'ce', '0.1', '0.9', '0.25'],
      ['j2', 'b', 'running', '-', '0.01', '-', '-'],
    ]);
    expect(formatExperiment({ experiment: 'e', parameters: [], metrics: [], jobs: [] })).toBe('Experiment e has no jobs you may read.\n');
  });

  it('formatExperimentList - experiment, job count and the age of its newest job', () => {
    const now = new Date('2026-12-02T12:00:00Z');
    expect(rows(formatExperimentList({ items: [{ experiment: 'lr-sweep', jobs: 3, lastCreatedAt: '2026-12-02T11:55:00Z' }, { experiment: 'old', jobs: 1, lastCreatedAt: '2026-11-30T12:00:00Z' }] }, now))).toEqual([
      ['EXPERIMENT', 'JOBS', 'LAST JOB'],
      ['lr-sweep', '3', '5m00s'],
      ['old', '1', '2d00h'],
    ]);
    expect(formatExperimentList({ items: [] }, now)).toMatch(/^No experiments/);
  });
});
