import type { SearchParameter } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawValues, fromUnit, inSpace, toUnit } from './search-space';
import { seededRandom } from './seeded-random';

const numeric: fc.Arbitrary<Exclude<SearchParameter, { type: 'categorical' }>> = fc.oneof(
  fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-6, max: 1e6, noNaN: true })).map(([min, w]) => ({ name: 'x', type: 'float' as const, min, max: min + w })),
  fc.tuple(fc.double({ min: 1e-6, max: 1e3, noNaN: true }), fc.double({ min: 1.001, max: 1e6, noNaN: true })).map(([min, f]) => ({ name: 'x', type: 'float' as const, min, max: min * f, log: true })),
  fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 7 })).map(([min, w, step]) => ({ name: 'n', type: 'int' as const, min, max: min + w, step })),
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 10_000 })).map(([min, w]) => ({ name: 'n', type: 'int' as const, min, max: min + w, log: true })),
);
const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe('search space', () => {
  it('fromUnit - every point of the unit interval maps into the range, on the steps', () => {
    fc.assert(fc.property(numeric, unit, (p, u) => {
      const v = fromUnit(p, u);
      expect(inSpace([p], { [p.name]: v })).toBe(true);
    }));
  });

  it('fromUnit and toUnit - a float goes back where it came from', () => {
    fc.assert(fc.property(numeric.filter((p) => p.type === 'float'), unit, (p, u) => {
      expect(toUnit(p, fromUnit(p, u))).toBeCloseTo(u, 6);
    }));
  });

  it('fromUnit - every integer of a small range is about as likely (the ends too)', () => {
    const p = { name: 'n', type: 'int' as const, min: 1, max: 4 };
    const random = seededRandom(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 8000; i++) {
      const v = fromUnit(p, random());
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4]);
    for (const c of counts.values()) expect(c).toBeGreaterThan(1700);
  });

  it('drawValues - the same seed draws the same values; a categorical draws only its choices', () => {
    const params: SearchParameter[] = [{ name: 'x', type: 'float', min: -5, max: 5 }, { name: 'o', type: 'categorical', choices: ['sgd', 'adam'] }];
    const a = drawValues(params, seededRandom(11));
    expect(drawValues(params, seededRandom(11))).toEqual(a);
    const seen = new Set(Array.from({ length: 200 }, (_, i) => drawValues(params, seededRandom(i)).o));
    expect([...seen].sort()).toEqual(['adam', 'sgd']);
  });

  it('inSpace - refuses a missing parameter, a value out of range or off its steps, an unlisted choice', () => {
    const params: SearchParameter[] = [{ name: 'n', type: 'int', min: 0, max: 10, step: 2 }, { name: 'o', type: 'categorical', choices: ['a'] }];
    expect(inSpace(params, { n: 4, o: 'a' })).toBe(true);
    expect(inSpace(params, { n: 3, o: 'a' })).toBe(false);
    expect(inSpace(params, { n: 12, o: 'a' })).toBe(false);
    expect(inSpace(params, { n: 4, o: 'b' })).toBe(false);
    expect(inSpace(params, { o: 'a' })).toBe(false);
  });
});
