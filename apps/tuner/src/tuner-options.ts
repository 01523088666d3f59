type Env = Record<string, string | undefined>;

/** Every time and path of the tuner (decision 10: configuration, so tests run the real logic in seconds). */
export interface TunerOptions {
  /** How often searches are looked at when the log is quiet (trials' logs are read then). Default 1 s. */
  tickMs: number;
  /** After a trial's job ended, how long its last log lines may take to be stored before it is decided without them. Default 10 s. */
  logWaitMs: number;
  /** The Python that runs the optimiser (it needs optuna and scikit-learn). Default `/usr/bin/python3`. */
  python: string;
  /** The optimiser script. Default `apps/tuner/optimiser/optimiser.py` of this checkout. */
  script?: string;
  /** One optimiser request's time limit. Default 60 s. */
  optimiserTimeoutMs: number;
  /** Leader lease (decision 7): one tuner of several decides; `false` acts alone. */
  lease: false | { bucket: string; key: string; ttlMs: number; holder?: string };
  log?: (msg: string) => void;
}

export const DEFAULT_TUNER_OPTIONS: TunerOptions = {
  tickMs: 1_000,
  logWaitMs: 10_000,
  python: '/usr/bin/python3',
  optimiserTimeoutMs: 60_000,
  lease: { bucket: 'TY_LEADER', key: 'tuner', ttlMs: 3_000 },
};

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw} must be an integer between ${min} and ${max}`);
  return n;
}

/**
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `TY_TUNER_TICK_MS` | look at the searches at least this often | 1000 |
 * | `TY_TUNER_LOG_WAIT_MS` | wait for a finished trial's last log lines | 10000 |
 * | `TY_TUNER_PYTHON` | the optimiser's Python | `/usr/bin/python3` |
 * | `TY_TUNER_OPTIMISER` | the optimiser script | `apps/tuner/optimiser/optimiser.py` |
 * | `TY_TUNER_ID` / `TY_TUNER_LEASE_TTL_MS` | lease holder id / leader lease TTL | `tuner-<random>` / 3000 |
 */
export function tunerOptionsFromEnv(env: Env): TunerOptions {
  const d = DEFAULT_TUNER_OPTIONS;
  const lease = d.lease === false ? { bucket: 'TY_LEADER', key: 'tuner', ttlMs: 3_000 } : d.lease;
  return {
    ...d,
    tickMs: int(env, 'TY_TUNER_TICK_MS', d.tickMs, 50, 600_000),
    logWaitMs: int(env, 'TY_TUNER_LOG_WAIT_MS', d.logWaitMs, 0, 600_000),
    python: env.TY_TUNER_PYTHON || d.python,
    ...(env.TY_TUNER_OPTIMISER ? { script: env.TY_TUNER_OPTIMISER } : {}),
    lease: { ...lease, ttlMs: int(env, 'TY_TUNER_LEASE_TTL_MS', lease.ttlMs, 500, 600_000), ...(env.TY_TUNER_ID ? { holder: env.TY_TUNER_ID } : {}) },
  };
}

/** A tuner process's config (`TY_DATABASE_URL` required: it reads the trials' stored logs). */
export function tunerConfigFromEnv(env: Env): { natsUrl: string; databaseUrl: string; databaseSchema?: string; options: TunerOptions } {
  const databaseUrl = env.TY_DATABASE_URL;
  if (!databaseUrl) throw new Error('TY_DATABASE_URL is required when the tuner runs on its own: it reads the trials\' logs the log router stores');
  return { natsUrl: env.TY_NATS_URL || 'nats://127.0.0.1:4222', databaseUrl, ...(env.TY_DATABASE_SCHEMA ? { databaseSchema: env.TY_DATABASE_SCHEMA } : {}), options: tunerOptionsFromEnv(env) };
}
