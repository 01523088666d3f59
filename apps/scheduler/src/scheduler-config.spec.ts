import { describe, expect, it } from 'vitest';
import { schedulerOptionsFromEnv } from './scheduler-config';
import { DEFAULT_SCHEDULER_OPTIONS } from './scheduler-service';

describe('scheduler config - options from TY_* variables', () => {
  it('defaults without variables, the lease included', () => {
    expect(schedulerOptionsFromEnv({})).toEqual(DEFAULT_SCHEDULER_OPTIONS);
  });

  it('reads every time and the replica id', () => {
    const o = schedulerOptionsFromEnv({
      TY_SCHEDULER_ID: 'sched-a', TY_SCHEDULER_LEASE_TTL_MS: '1500', TY_HOUR_MS: '1000', TY_MIN_RUN_MS: '0',
      TY_REQUEUE_TIMEOUT_MS: '2000', TY_PREEMPT_GRACE_MS: '500', TY_SCHEDULER_TICK_MS: '100', TY_WAIT_REASON_REFRESH_MS: '5000',
    });
    expect(o).toMatchObject({ hourMs: 1000, minRunMs: 0, requeueTimeoutMs: 2000, preemptGraceMs: 500, tickMs: 100, waitReasons: { refreshMs: 5000 }, lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 1500, holder: 'sched-a' } });
  });

  it('refuses a value that is not a number of milliseconds', () => {
    expect(() => schedulerOptionsFromEnv({ TY_HOUR_MS: 'an hour' })).toThrow(/TY_HOUR_MS/);
    expect(() => schedulerOptionsFromEnv({ TY_MIN_RUN_MS: '-1' })).toThrow(/TY_MIN_RUN_MS/);
  });
});
