import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { timeBound } from './time-bound';

const NOW = new Date('2026-12-02T12:00:00.000Z');

describe('timeBound', () => {
  it('timeBound - durations count back from now, sequences and instants pass as the API takes them', () => {
    expect(timeBound('2h', NOW)).toBe('2026-12-02T10:00:00.000Z');
    expect(timeBound('1h30m', NOW)).toBe('2026-12-02T10:30:00.000Z');
    expect(timeBound('7d', NOW)).toBe('2026-11-25T12:00:00.000Z');
    expect(timeBound('seq:41', NOW)).toBe('41');
    expect(timeBound('41', NOW)).toBe('41');
    expect(timeBound('2026-12-02T03:12:00+01:00', NOW)).toBe('2026-12-02T02:12:00.000Z');
  });

  it('timeBound - anything else is a usage error', () => {
    for (const bad of ['', 'yesterday', '2x', '-2h', 'seq:', '12/02/2026', 'seq:-1']) expect(() => timeBound(bad, NOW), bad).toThrow(/duration/);
  });

  it('timeBound - property: a duration of n seconds is exactly n s before now', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10_000_000 }), (n) => Date.parse(timeBound(`${n}s`, NOW)) === NOW.getTime() - n * 1000));
  });
});
