import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerOutcome, baseDelayMs, type BackoffPolicy, DEFAULT_BACKOFF, retryDelayMs } from './delivery-backoff';

const policy: fc.Arbitrary<BackoffPolicy> = fc.record({
  firstDelayMs: fc.integer({ min: 1, max: 10_000 }),
  factor: fc.double({ min: 1, max: 4, noNaN: true }),
  maxDelayMs: fc.integer({ min: 1, max: 3_600_000 }),
  maxAttempts: fc.integer({ min: 1, max: 30 }),
  jitter: fc.double({ min: 0, max: 1, noNaN: true }),
});
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('delivery back-off', () => {
  it('delivery back-off - the default schedule doubles from 1 s and gives up after the 12th attempt', () => {
    const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([1, 2, 3, 4, 10, 11].map((a) => retryDelayMs(a, noJitter, 0))).toEqual([1000, 2000, 4000, 8000, 512_000, 600_000]);
    expect(retryDelayMs(12, noJitter, 0)).toBeUndefined();
  });

  it('delivery back-off - without jitter delays never shrink, start at the first delay and never pass the cap', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const q = { ...p, jitter: 0 };
        const delays = Array.from({ length: q.maxAttempts - 1 }, (_, i) => retryDelayMs(i + 1, q, 0.5)!);
        delays.forEach((d, i) => {
          expect(d).toBeLessThanOrEqual(q.maxDelayMs);
          if (i > 0) expect(d).toBeGreaterThanOrEqual(delays[i - 1]);
        });
        if (delays.length) expect(delays[0]).toBe(Math.min(q.firstDelayMs, q.maxDelayMs));
      }),
    );
  });

  it('delivery back-off - a jittered delay lies in [d·(1−jitter), d]; the last attempt is never followed by another', () => {
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 40 }), random, (p, attempt, r) => {
        const d = retryDelayMs(attempt, p, r);
        if (attempt >= p.maxAttempts) {
          expect(d).toBeUndefined();
          return;
        }
        const base = baseDelayMs(attempt, p);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * (1 - p.jitter)));
        expect(d).toBeLessThanOrEqual(Math.ceil(base));
      }),
    );
  });

  it('delivery back-off - 2xx is delivered, 410 is final, anything else (or no answer) is tried again', () => {
    expect([200, 204, 299].map(answerOutcome)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(answerOutcome(410)).toBe('gone');
    expect([undefined, 199, 301, 400, 429, 500, 503].map(answerOutcome)).toEqual(Array(7).fill('retry'));
  });
});
