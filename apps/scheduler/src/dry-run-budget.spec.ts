import { describe, expect, it } from 'vitest';
import { DryRunBudget } from './dry-run-budget';

describe('scheduler - dry-run budget', () => {
  it('allows a burst, refuses once spent (UNAVAILABLE, saying when), refills at its rate', () => {
    let t = 0;
    const b = new DryRunBudget({ msPerSecond: 250, burstMs: 1000 }, () => t);
    for (let i = 0; i < 4; i++) {
      b.take();
      b.spent(300);
    }
    // 1000 − 1200 = −200 ms: refused until 0.8 s have refilled it.
    expect(() => b.take()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE', message: expect.stringMatching(/retry in 80\d ms/) }));
    t += 700;
    expect(() => b.take()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
    t += 200;
    expect(() => b.take()).not.toThrow();
    // It never banks more than the burst.
    t += 60_000;
    b.take();
    b.spent(1000);
    expect(() => b.take()).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });
});
