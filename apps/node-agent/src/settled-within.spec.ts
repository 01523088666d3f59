import { describe, expect, it } from 'vitest';
import { settledWithin } from './settled-within';

const after = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('settled within - the bound MA_FAILOVER_TERMINATION_GRACE_PERIOD_SECONDS puts on a teardown (L8147-8155)', () => {
  it('settled within - unbounded waits to the end; bounded stops waiting at the bound, not before', async () => {
    expect(await settledWithin(after(30), undefined)).toBe('settled');
    expect(await settledWithin(after(10), 200)).toBe('settled');
    const started = Date.now();
    expect(await settledWithin(after(5_000), 50)).toBe('pending');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await settledWithin(Promise.reject(new Error('x')), 50)).toBe('settled');
    expect(await settledWithin(undefined, 50)).toBe('settled');
  });
});
