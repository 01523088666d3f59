import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpecError } from './spec-error';
import { containerUser, GUIDE_DEFAULT_UID, SHARED_POOL_MIN_UID, taskUser } from './task-user';

const shared = { mode: 'job' as const, dedicatedPool: false };
const dedicated = { mode: 'job' as const, dedicatedPool: true };

describe('task user - whose uid a task runs as (issue 11, guide L1502-1509)', () => {
  it('the job names none: the guide\'s 1000, its gid the same', () => {
    expect(taskUser(undefined, shared)).toEqual({ uid: GUIDE_DEFAULT_UID, gid: GUIDE_DEFAULT_UID });
    expect(containerUser(undefined, shared)).toBe(1000);
  });

  it('uid 0 (root) is refused on a shared pool as the job\'s error naming algorithm.userId, allowed on a dedicated one', () => {
    const err = (() => {
      try {
        taskUser(0, shared, 'a100');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SpecError);
    expect(err).toMatchObject({ field: 'algorithm.userId', code: 'access-denied' });
    expect((err as Error).message).toContain('pool a100 is not dedicated on this node (TY_POOL_DEDICATED)');
    expect(taskUser(0, dedicated)).toEqual({ uid: 0, gid: 0 });
    expect(() => containerUser(0, shared)).toThrow(SpecError);
  });

  it('agent mode runs process tasks as the agent (no uid), but the pool rule still holds', () => {
    expect(taskUser(4242, { mode: 'agent', dedicatedPool: false })).toBeUndefined();
    expect(() => taskUser(0, { mode: 'agent', dedicatedPool: false })).toThrow(SpecError);
  });

  it('property: every uid the guide allows runs as itself; below 1000 only on a dedicated pool', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.boolean(), (uid, dedicatedPool) => {
        const settings = { mode: 'job' as const, dedicatedPool };
        if (uid < SHARED_POOL_MIN_UID && !dedicatedPool) expect(() => taskUser(uid, settings)).toThrow(SpecError);
        else expect(taskUser(uid, settings)).toEqual({ uid, gid: uid });
      }),
    );
  });
});
