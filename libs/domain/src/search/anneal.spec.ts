import type { SearchParameter } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annealValues, geometricIndex } from './anneal';
import { inSpace } from './search-space';
import { seededRandom } from './seeded-random';

const space: SearchParameter[] = [
  { name: 'x', type: 'float', min: -5, max: 5 },
  { name: 'lr', type: 'float', min: 1e-5, max: 1e-1, log: true },
  { name: 'n', type: 'int', min: 1, max: 9 },
  { name: 'o', type: 'categorical', choices: ['a', 'b', 'c'] },
];
const options = { avgBestIdx: 2, shrinkCoef: 0.1 };

describe('anneal', () => {
  it('annealValues - always proposes values in the space', () => {
    const finished = fc.array(fc.record({ values: fc.record({ x: fc.double({ min: -5, max: 5, noNaN: true }), lr: fc.double({ min: 1e-5, max: 1e-1, noNaN: true }), n: fc.integer({ min: 1, max: 9 }), o: fc.constantFrom('a', 'b', 'c') }), value: fc.double({ min: -100, max: 100, noNaN: true }) }), { maxLength: 30 });
    fc.assert(fc.property(finished, fc.integer({ min: 0, max: 1e9 }), fc.constantFrom('minimize' as const, 'maximize' as const), (f, seed, dir) => {
      expect(inSpace(space, annealValues(space, f, dir, options, seededRandom(seed)))).toBe(true);
    }));
  });

  it('annealValues - samples near the best trial, closer as trials finish (shrink_coef)', () => {
    const best = { values: { x: 3, lr: 1e-3, n: 5, o: 'b' }, value: 0.1 };
    const others = Array.from({ length: 39 }, (_, i) => ({ values: { x: -4 + (i % 5) * 0.1, lr: 1e-2, n: 1, o: 'a' }, value: 10 + i }));
    const one = { avgBestIdx: 1, shrinkCoef: 0.5 };
    const spread = (finished: typeof others) => {
      const xs = Array.from({ length: 300 }, (_, s) => annealValues(space, finished, 'minimize', one, seededRandom(s)).x as number);
      return Math.max(...xs.map((x) => Math.abs(x - 3)));
    };
    // avg_best_idx 1 always starts from the best; after 40 trials the width is 1/(1+40·0.5) of the range.
    expect(spread([best, ...others])).toBeLessThanOrEqual((10 / 21) / 2 + 1e-9);
    expect(spread([best, ...others.slice(0, 1)])).toBeGreaterThan(10 / 21 / 2);
  });

  it('annealValues - with nothing finished it draws from the priors; maximising ranks the largest first', () => {
    const a = annealValues(space, [], 'minimize', options, seededRandom(5));
    expect(inSpace(space, a)).toBe(true);
    const finished = [{ values: { x: -4, lr: 1e-3, n: 5, o: 'b' }, value: 1 }, { values: { x: 4, lr: 1e-3, n: 5, o: 'b' }, value: 9 }];
    const x = annealValues(space, finished, 'maximize', { avgBestIdx: 1, shrinkCoef: 10 }, seededRandom(1)).x as number;
    expect(Math.abs(x - 4)).toBeLessThan(0.5);
  });

  it('geometricIndex - its mean is avg_best_idx (1-based): 1 is always the best', () => {
    const random = seededRandom(9);
    expect(Array.from({ length: 50 }, () => geometricIndex(1, random)).every((i) => i === 0)).toBe(true);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += geometricIndex(3, random) + 1;
    expect(sum / n).toBeGreaterThan(2.85);
    expect(sum / n).toBeLessThan(3.15);
  });
});
