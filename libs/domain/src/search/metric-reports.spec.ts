import { metricRegexFor } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { metricMatches } from './metric-reports';

const lines = (...texts: string[]) => texts.map((text, i) => ({ seq: i + 1, text }));

describe('metric reports', () => {
  it('metricMatches - every matching line is a report with its line number; others are skipped', () => {
    const got = metricMatches('loss=([-+0-9.eE]+)', lines('epoch 1', 'loss=0.5', 'lr=0.1 loss=2.5e-1', 'loss=nan', 'loss=1.2.3'));
    expect(got).toEqual([{ line: 2, value: 0.5 }, { line: 3, value: 0.25 }]);
  });

  it('metricMatches - a named group `value` wins over group 1', () => {
    expect(metricMatches('(step \\d+) acc=(?<value>[0-9.]+)', lines('step 3 acc=0.91'))).toEqual([{ line: 1, value: 0.91 }]);
  });

  it('metricMatches - the generated regex reads back any number printed as name=value', () => {
    fc.assert(fc.property(fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }), fc.constantFrom('=', ': ', ' = ', ' '), (v, sep) => {
      const got = metricMatches(metricRegexFor('loss'), lines(`step 1 loss${sep}${v}`));
      expect(got).toHaveLength(1);
      expect(got[0].value).toBe(v === 0 ? 0 : v);
    }));
  });

  it('metricMatches - only the first 4096 characters of a line are read', () => {
    expect(metricMatches('loss=([0-9.]+)', lines(`${'x'.repeat(5000)}loss=1`))).toEqual([]);
  });
});
