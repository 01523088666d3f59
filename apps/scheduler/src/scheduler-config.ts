import { DEFAULT_NATS_URL } from '@trainyard/event-log';
import { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from './scheduler-service';

type Env = Record<string, string | undefined>;

/** Everything a scheduler process reads from its environment, read once at start. */
export interface SchedulerConfig {
  /** `TY_NATS_URL`; default `nats://127.0.0.1:4222`. */
  natsUrl: string;
  options: SchedulerOptions;
}

/** The scheduler process's config; a bad value throws an error naming its variable. */
export function schedulerConfigFromEnv(env: Env): SchedulerConfig {
  return { natsUrl: env.TY_NATS_URL || DEFAULT_NATS_URL, options: schedulerOptionsFromEnv(env) };
}

/**
 * The scheduler's options from the environment, defaults otherwise:
 *
 * | variable | option | default |
 * | --- | --- | --- |
 * | `TY_SCHEDULER_ID` | lease holder id (shown to operators) | `scheduler-<random>` |
 * | `TY_SCHEDULER_LEASE_TTL_MS` | leader lease TTL | 3000 |
 * | `TY_SCHEDULER_TICK_MS` | re-check period | 1000 |
 * | `TY_HEARTBEAT_TIMEOUT_MS` | node liveness | 10000 |
 * | `TY_SCHEDULER_STOP_GRACE_MS` | SIGTERM → SIGKILL on stop | 10000 |
 * | `TY_PREEMPT_GRACE_MS` | SIGTERM → SIGKILL on preemption | 30000 |
 * | `TY_MIN_RUN_MS` | minimum run time before a job may be preempted | 600000 |
 * | `TY_PREEMPTION_CYCLE_WINDOW_MS` | a job never preempts one that preempted it within this window | 3600000 |
 * | `TY_FAIR_SHARE_HALF_LIFE_MS` | half-life of the past usage fair share orders projects by | 604800000 (7 days) |
 * | `TY_HOUR_MS` | length of a `maxRunHours` hour | 3600000 |
 * | `TY_REQUEUE_TIMEOUT_MS` | a re-queued job fails after waiting this long | 1800000 |
 * | `TY_PREPARATION_TIMEOUT_MS` | a placed job none of whose tasks started this long after its placement ends abnormal (J03) | 3600000 |
 * | `TY_WAIT_REASON_REFRESH_MS` | least time between two JobWaiting of a job whose cause did not change | 60000 |
 */
export function schedulerOptionsFromEnv(env: Env): SchedulerOptions {
  const d = DEFAULT_SCHEDULER_OPTIONS;
  const lease = d.lease === false ? { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 3000 } : d.lease;
  return {
    ...d,
    heartbeatTimeoutMs: ms(env, 'TY_HEARTBEAT_TIMEOUT_MS', d.heartbeatTimeoutMs),
    stopGraceMs: ms(env, 'TY_SCHEDULER_STOP_GRACE_MS', d.stopGraceMs),
    tickMs: ms(env, 'TY_SCHEDULER_TICK_MS', d.tickMs),
    preemptGraceMs: ms(env, 'TY_PREEMPT_GRACE_MS', d.preemptGraceMs),
    minRunMs: ms(env, 'TY_MIN_RUN_MS', d.minRunMs),
    preemptionCycleWindowMs: ms(env, 'TY_PREEMPTION_CYCLE_WINDOW_MS', d.preemptionCycleWindowMs),
    fairShareHalfLifeMs: ms(env, 'TY_FAIR_SHARE_HALF_LIFE_MS', d.fairShareHalfLifeMs),
    hourMs: ms(env, 'TY_HOUR_MS', d.hourMs),
    requeueTimeoutMs: ms(env, 'TY_REQUEUE_TIMEOUT_MS', d.requeueTimeoutMs),
    preparationTimeoutMs: ms(env, 'TY_PREPARATION_TIMEOUT_MS', d.preparationTimeoutMs),
    ...(env.TY_WAIT_REASON_REFRESH_MS ? { waitReasons: { refreshMs: ms(env, 'TY_WAIT_REASON_REFRESH_MS', 60_000) } } : {}),
    lease: { ...lease, ttlMs: ms(env, 'TY_SCHEDULER_LEASE_TTL_MS', lease.ttlMs), ...(env.TY_SCHEDULER_ID ? { holder: env.TY_SCHEDULER_ID } : {}) },
  };
}

function ms(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key}=${raw} must be a non-negative number of milliseconds`);
  return n;
}
