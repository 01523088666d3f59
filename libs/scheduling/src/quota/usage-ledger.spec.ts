import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decayUsage } from './decay-usage';
import type { PastUsage } from './quota-policy';
import { UsageLedger } from './usage-ledger';

const H = 1_000;

describe('UsageLedger', () => {
  it('held for one half-life counts half; released, it halves again each half-life', () => {
    const l = new UsageLedger(H);
    l.change('p', 'a', { gpu: 8 }, 0);
    expect(l.at(H)[0].gpu).toBeCloseTo(4, 9);
    l.change('p', 'a', { gpu: -8 }, H);
    expect(l.at(2 * H)[0].gpu).toBeCloseTo(2, 9);
    expect(l.at(100 * H)).toEqual([]);
  });

  it('property - equals stepping decayUsage pass by pass over the same holdings (so a fold and the passes agree)', () => {
    const step = fc.record({ project: fc.constantFrom('a', 'b', 'c'), gpu: fc.integer({ min: -8, max: 8 }), cpu: fc.integer({ min: -4, max: 4 }), dt: fc.integer({ min: 0, max: 3 * H }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const ledger = new UsageLedger(H);
        const held = new Map<string, { gpu: number; cpu: number }>();
        let past: PastUsage[] = [];
        let t = 0;
        for (const s of steps) {
          // decayUsage over the interval with what was held during it, then the change.
          const during = [...held].map(([project, h]) => ({ project, pool: 'p', ...h }));
          past = decayUsage(past, during, s.dt, H);
          t += s.dt;
          const h = held.get(s.project) ?? { gpu: 0, cpu: 0 };
          const next = { gpu: Math.max(0, h.gpu + s.gpu), cpu: Math.max(0, h.cpu + s.cpu) };
          held.set(s.project, next);
          ledger.change('p', s.project, { gpu: next.gpu - h.gpu, cpu: next.cpu - h.cpu }, t);
        }
        const end = t + H;
        past = decayUsage(past, [...held].map(([project, h]) => ({ project, pool: 'p', ...h })), H, H);
        const got = new Map(ledger.at(end).map((u) => [u.project, u]));
        for (const u of past) {
          expect(got.get(u.project)?.gpu ?? 0).toBeCloseTo(u.gpu ?? 0, 6);
          expect(got.get(u.project)?.cpu ?? 0).toBeCloseTo(u.cpu ?? 0, 6);
        }
        for (const [project, u] of got) if (!past.some((p) => p.project === project)) expect((u.gpu ?? 0) + (u.cpu ?? 0)).toBeLessThan(1e-6);
      }),
      { numRuns: 300 },
    );
  });
});
