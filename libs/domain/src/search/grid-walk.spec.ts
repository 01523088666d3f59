import { gridCount, type SearchParameter } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridPoint, gridTrialValues } from './grid-walk';
import { inSpace } from './search-space';

const params: SearchParameter[] = [
  { name: 'x', type: 'float', min: 0, max: 1, steps: 3 },
  { name: 'n', type: 'int', min: 2, max: 8, step: 3 },
  { name: 'o', type: 'categorical', choices: ['a', 'b'] },
];
const key = (v: object) => JSON.stringify(v);

describe('grid walk', () => {
  it('gridPoint - walks the full grid once, the last parameter fastest', () => {
    expect(gridCount(params)).toBe(18);
    const points = Array.from({ length: 18 }, (_, i) => gridPoint(params, i));
    expect(points.slice(0, 3)).toEqual([{ x: 0, n: 2, o: 'a' }, { x: 0, n: 2, o: 'b' }, { x: 0, n: 5, o: 'a' }]);
    expect(points[17]).toEqual({ x: 1, n: 8, o: 'b' });
    expect(new Set(points.map(key)).size).toBe(18);
    for (const p of points) expect(inSpace(params, p)).toBe(true);
  });

  it('gridTrialValues - a budget below the grid picks distinct points, the same for the same seed', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (budget, seed) => {
      const picked = Array.from({ length: budget }, (_, i) => gridTrialValues(params, budget, seed, i + 1)!);
      expect(new Set(picked.map(key)).size).toBe(budget);
      expect(gridTrialValues(params, budget, seed, budget + 1)).toBeUndefined();
      expect(picked.map(key)).toEqual(Array.from({ length: budget }, (_, i) => key(gridTrialValues(params, budget, seed, i + 1)!)));
    }));
  });

  it('gridTrialValues - a budget of the grid or more runs every point in order, then nothing', () => {
    expect(gridTrialValues(params, 100, 1, 1)).toEqual(gridPoint(params, 0));
    expect(gridTrialValues(params, 100, 1, 18)).toEqual(gridPoint(params, 17));
    expect(gridTrialValues(params, 100, 1, 19)).toBeUndefined();
  });

  it('gridPoint - a log-scale float axis is evenly spaced in log space', () => {
    const lr: SearchParameter[] = [{ name: 'lr', type: 'float', min: 1e-4, max: 1, steps: 5, log: true }];
    const xs = Array.from({ length: 5 }, (_, i) => gridPoint(lr, i).lr as number);
    xs.forEach((x, i) => expect(x).toBeCloseTo(10 ** (i - 4), 12));
  });
});
