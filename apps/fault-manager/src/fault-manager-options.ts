import { DEFAULT_CROSS_JOB, DEFAULT_HANG_OPTIONS, type CrossJobOptions } from '@trainyard/domain';

/**
 * Every time and threshold of the fault manager (decision 10: all configuration, so tests run the
 * real logic in seconds).
 */
export interface FaultManagerOptions {
  /** A node unheard this long is suspect: no new work (`NodeSuspect`). Default 10 s. */
  leaseMs: number;
  /** …and after this much more it is lost: isolated, its tasks reported lost and recovered. Default 20 s. */
  lostGraceMs: number;
  /** How often liveness, hangs and follow-ups are re-checked when the log is quiet. Default 1 s. */
  tickMs: number;
  /** SIGTERM → SIGKILL when a task is stopped for an in-place restart or a pod move. Default 10 s. */
  stopGraceMs: number;
  /** SIGTERM → SIGKILL of a drained node's tasks when `yard node drain` gives none. Default 30 s. */
  drainGraceMs: number;
  /** `MA_HANG_DETECT_TIME` in minutes (10–720, default 30, L12522-12534). */
  hangDetectMinutes: number;
  /** Multiplies every hang window: tests run a "30 minute" window in a second or two. Default 1. */
  hangTimeScale: number;
  /** Samples a window must hold ("several cycles"). Default 3. */
  hangMinSamples: number;
  /** Signal that asks a hung task for a stack dump before it is killed. Default SIGUSR1 (py-spy/faulthandler convention). */
  stackDumpSignal: 'SIGQUIT' | 'SIGUSR1';
  /** How long the task may print its dump. Default 3 s. */
  stackDumpWaitMs: number;
  /** How long a non-zero exit waits for its last log lines to be stored before it is classified. Default 2 s. */
  analysisWaitMs: number;
  /** Last lines of a failed task the analyser reads. Default 200. */
  analysisLines: number;
  /**
   * How long a plain non-zero exit of a task waits for the attempt's other running tasks before it is
   * decided on: a peer killed by a signal (or a faulty node) is the root cause, and its launcher may
   * report a few seconds after the ranks that failed because of it (torchrun checks its workers every
   * 5 s). Default 10 s.
   */
  rootCauseWaitMs: number;
  /** Tasks of different jobs failing on one node: the isolation rule. */
  crossJob: CrossJobOptions;
  /**
   * Leader lease (decision 7): only the holder decides and commits; standbys fold the log and watch
   * heartbeats. `false` makes this replica act alone.
   */
  lease: false | { bucket: string; key: string; ttlMs: number; holder?: string };
  log?: (msg: string) => void;
}

export const DEFAULT_FAULT_MANAGER_OPTIONS: FaultManagerOptions = {
  leaseMs: 10_000,
  lostGraceMs: 20_000,
  tickMs: 1_000,
  stopGraceMs: 10_000,
  drainGraceMs: 30_000,
  hangDetectMinutes: 30,
  hangTimeScale: 1,
  hangMinSamples: DEFAULT_HANG_OPTIONS.minSamples,
  stackDumpSignal: 'SIGUSR1',
  stackDumpWaitMs: 3_000,
  analysisWaitMs: 2_000,
  analysisLines: 200,
  rootCauseWaitMs: 10_000,
  crossJob: DEFAULT_CROSS_JOB,
  lease: { bucket: 'TY_LEADER', key: 'fault-manager', ttlMs: 3_000 },
};

type Env = Record<string, string | undefined>;

/** Everything a fault-manager process reads from its environment, read once at start. */
export interface FaultManagerConfig {
  /** `TY_NATS_URL`; default `nats://127.0.0.1:4222`. */
  natsUrl: string;
  /** `TY_DATABASE_URL`: the log store, for failure analyses; without it nothing is analysed. */
  databaseUrl?: string;
  /** `TY_DATABASE_SCHEMA`. */
  databaseSchema?: string;
  options: FaultManagerOptions;
}

/** The fault-manager process's config; a bad value throws an error naming its variable. */
export function faultManagerConfigFromEnv(env: Env): FaultManagerConfig {
  return {
    natsUrl: env.TY_NATS_URL || 'nats://127.0.0.1:4222',
    ...(env.TY_DATABASE_URL ? { databaseUrl: env.TY_DATABASE_URL } : {}),
    ...(env.TY_DATABASE_SCHEMA ? { databaseSchema: env.TY_DATABASE_SCHEMA } : {}),
    options: faultManagerOptionsFromEnv(env),
  };
}

/**
 * Options from the environment:
 *
 * | variable | option | default |
 * | --- | --- | --- |
 * | `TY_FAULT_LEASE_MS` | node lease (suspect after) | 10000 |
 * | `TY_FAULT_LOST_GRACE_MS` | lost after lease + this | 20000 |
 * | `TY_FAULT_TICK_MS` | re-check period | 1000 |
 * | `TY_FAULT_STOP_GRACE_MS` | SIGTERM → SIGKILL on restart | 10000 |
 * | `TY_FAULT_ROOT_CAUSE_WAIT_MS` | a non-zero exit waits this long for its peers' exits | 10000 |
 * | `MA_HANG_DETECT_TIME` / `TY_HANG_DETECT_TIME` | hang window, minutes (10–720) | 30 |
 * | `TY_HANG_TIME_SCALE` | multiplier of the hang window | 1 |
 * | `TY_STACK_DUMP_SIGNAL` | `SIGUSR1` or `SIGQUIT` | SIGUSR1 |
 * | `TY_FAULT_MANAGER_ID` | lease holder id | `fault-manager-<random>` |
 * | `TY_FAULT_MANAGER_LEASE_TTL_MS` | leader lease TTL | 3000 |
 */
export function faultManagerOptionsFromEnv(env: Env): FaultManagerOptions {
  const d = DEFAULT_FAULT_MANAGER_OPTIONS;
  const lease = d.lease === false ? { bucket: 'TY_LEADER', key: 'fault-manager', ttlMs: 3000 } : d.lease;
  const signal = env.TY_STACK_DUMP_SIGNAL;
  if (signal !== undefined && signal !== 'SIGUSR1' && signal !== 'SIGQUIT') throw new Error(`TY_STACK_DUMP_SIGNAL=${signal} must be SIGUSR1 or SIGQUIT`);
  return {
    ...d,
    leaseMs: num(env, 'TY_FAULT_LEASE_MS', d.leaseMs),
    lostGraceMs: num(env, 'TY_FAULT_LOST_GRACE_MS', d.lostGraceMs),
    tickMs: num(env, 'TY_FAULT_TICK_MS', d.tickMs),
    stopGraceMs: num(env, 'TY_FAULT_STOP_GRACE_MS', d.stopGraceMs),
    rootCauseWaitMs: num(env, 'TY_FAULT_ROOT_CAUSE_WAIT_MS', d.rootCauseWaitMs),
    hangDetectMinutes: num(env, 'TY_HANG_DETECT_TIME', num(env, 'MA_HANG_DETECT_TIME', d.hangDetectMinutes)),
    hangTimeScale: num(env, 'TY_HANG_TIME_SCALE', d.hangTimeScale),
    ...(signal ? { stackDumpSignal: signal } : {}),
    lease: { ...lease, ttlMs: num(env, 'TY_FAULT_MANAGER_LEASE_TTL_MS', lease.ttlMs), ...(env.TY_FAULT_MANAGER_ID ? { holder: env.TY_FAULT_MANAGER_ID } : {}) },
  };
}

function num(env: Env, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${key}=${raw} must be a non-negative number`);
  return n;
}
