import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, medianVerdict } from './median-rule';

const reports = (...values: number[]) => ({ reports: values.map((value, i) => ({ step: i + 1, value, line: i + 1 })) });
const rule = { rule: 'median' as const, warmupSteps: 2, minTrials: 3 };

describe('median rule', () => {
  it('medianVerdict - stops a trial worse than the median of the completed ones at its step', () => {
    const done = [reports(5, 3, 1), reports(6, 4, 2), reports(7, 5, 3)];
    expect(medianVerdict(reports(9, 8), done, rule, 'minimize')).toEqual({ step: 2, value: 8, median: 4 });
    expect(medianVerdict(reports(9, 3.5), done, rule, 'minimize')).toBeUndefined();
    expect(medianVerdict(reports(1, 2), done, rule, 'maximize')).toEqual({ step: 2, value: 2, median: 4 });
  });

  it('medianVerdict - waits for the warm-up steps and for enough completed trials at that step', () => {
    const done = [reports(5, 3, 1), reports(6, 4, 2), reports(7)];
    expect(medianVerdict(reports(99), [reports(1), reports(1), reports(1)], rule, 'minimize')).toBeUndefined();
    expect(medianVerdict(reports(99, 99), done, rule, 'minimize')).toBeUndefined();
  });

  it('medianVerdict - never stops a trial whose best so far is as good as every completed trial', () => {
    fc.assert(fc.property(fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 5 }), { minLength: 3, maxLength: 8 }), fc.integer({ min: 2, max: 3 }), (done, steps) => {
      const completed = done.map((vs) => reports(...vs));
      const floor = Math.min(...done.flat());
      expect(medianVerdict(reports(...Array(steps).fill(floor)), completed, rule, 'minimize')).toBeUndefined();
    }));
  });

  it('median - the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
