import { describe, expect, it } from 'vitest';
import { CoalescingLoop } from './coalescing-loop';
import { PositionWaiters } from './position-waiters';

const tick = () => new Promise((r) => setImmediate(r));

describe('coalescing loop', () => {
  it('coalescing loop - folds triggers during a pass into exactly one more pass', async () => {
    let passes = 0;
    let release!: () => void;
    const loop = new CoalescingLoop(
      () => {
        passes++;
        return passes === 1 ? new Promise<void>((r) => (release = r)) : Promise.resolve();
      },
      () => true,
      () => undefined,
    );
    loop.kick();
    loop.kick();
    loop.kick();
    expect(passes).toBe(1);
    release();
    await tick();
    await tick();
    expect(passes).toBe(2);
  });

  it('coalescing loop - runs nothing when it may not, and survives a failing pass', async () => {
    const errors: string[] = [];
    let allowed = false;
    let passes = 0;
    const loop = new CoalescingLoop(
      async () => {
        passes++;
        throw new Error('boom');
      },
      () => allowed,
      (e) => errors.push(e.message),
    );
    loop.kick();
    expect(passes).toBe(0);
    allowed = true;
    loop.kick();
    await tick();
    loop.kick();
    await tick();
    expect([passes, errors]).toEqual([2, ['boom', 'boom']]);
  });
});

describe('position waiters', () => {
  it('position waiters - resolve when the position reaches the sequence, false on close', async () => {
    let position = 3;
    const w = new PositionWaiters(() => position, 60_000);
    expect(await w.wait(2)).toBe(true);
    const pending = w.wait(5);
    const other = w.wait(9);
    position = 5;
    w.release();
    expect(await pending).toBe(true);
    w.close();
    expect(await other).toBe(false);
    expect(await w.wait(10)).toBe(false);
  });

  it('position waiters - a wait that is never reached ends at the bound instead of hanging', async () => {
    const w = new PositionWaiters(() => 0, 5);
    expect(await w.wait(1)).toBe(false);
  });
});
