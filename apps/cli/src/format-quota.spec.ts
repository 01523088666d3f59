import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatDryRun, formatQuotaTable } from './format-quota';
import { quotaAmounts } from './option-parsers';

describe('yard quota - amounts and tables', () => {
  it('quotaAmounts - parses resource=amount lists, refuses anything else as a usage error', () => {
    expect(quotaAmounts('gpu=8, cpu=64,gpu/nvidia-a100=4,memoryMiB=0.5')).toEqual({ gpu: 8, cpu: 64, 'gpu/nvidia-a100': 4, memoryMiB: 0.5 });
    for (const bad of ['gpu', 'gpu=-1', 'gpu=8;cpu=2', '', 'gpu=1e3']) expect(() => quotaAmounts(bad)).toThrow(InvalidArgumentError);
  });

  it('formatQuotaTable - one row per resource: the limit a cohort leaves open says so, an unknown usage is ?', () => {
    const out = formatQuotaTable([
      { project: 'a', pool: 'p', guaranteed: { cpu: 2, gpu: 8 }, limit: { gpu: 12 }, cohort: 'c', weight: 2, setAt: '', setBy: '', usage: { used: { cpu: 4, gpu: 8 }, borrowed: { cpu: 2, gpu: 0 } } },
      { project: 'b', pool: 'p', guaranteed: { gpu: 4 }, limit: null, cohort: null, weight: 1, setAt: '', setBy: '', usage: null },
    ]);
    const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([
      ['PROJECT', 'POOL', 'COHORT', 'WEIGHT', 'RESOURCE', 'GUARANTEED', 'LIMIT', 'USED', 'BORROWED'],
      ['a', 'p', 'c', '2', 'cpu', '2', 'cohort', '4', '2'],
      ['a', 'p', 'c', '2', 'gpu', '8', '12', '8', '0'],
      ['b', 'p', '-', '1', 'gpu', '4', '4', '?', '?'],
    ]);
    expect(formatQuotaTable([])).toMatch(/^No quotas/);
  });

  it('formatDryRun - every cause on its own line, and the estimate', () => {
    const out = formatDryRun({
      placed: false, pool: 'p', project: 'a', message: 'would wait: QUOTA_EXCEEDED',
      causes: [
        { kind: 'QUOTA', shortfalls: [{ resource: 'gpu', used: 8, requested: 4, guaranteed: 8, limit: null, cohort: { name: 'c', used: 16, guaranteed: 16 } }] },
        { kind: 'CAPACITY', deficit: { gpu: 4 }, unplacedInstances: 1 },
      ],
      estimatedStart: '2026-12-02T12:00:00.000Z',
    });
    expect(out.split('\n')).toEqual([
      'Would not be placed now (pool p, project a): would wait: QUOTA_EXCEEDED',
      '  because QUOTA: gpu needs 4, holds 8 of 8 guaranteed, cohort c holds 16 of 16',
      '  because CAPACITY: 1 instance(s) without room, short of gpu 4',
      '  estimated start: 2026-12-02T12:00:00.000Z',
      '',
    ]);
  });
});
