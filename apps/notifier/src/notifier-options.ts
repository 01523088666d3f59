import { type BackoffPolicy, DEFAULT_BACKOFF } from '@trainyard/domain';

type Env = Record<string, string | undefined>;

/** How the notifier sends (issue 15). */
export interface NotifierOptions {
  backoff: BackoffPolicy;
  /** One request's time limit. Default 10 s. */
  timeoutMs: number;
  /** Requests in flight at once. Default 8. */
  concurrency: number;
  /** Longest pause between looks at the delivery log. Default 5 s. */
  pollMs: number;
  /** Durable consumer name. Default `notifier`. */
  durable: string;
}

export const DEFAULT_NOTIFIER_OPTIONS: NotifierOptions = { backoff: DEFAULT_BACKOFF, timeoutMs: 10_000, concurrency: 8, pollMs: 5_000, durable: 'notifier' };

/** Everything a notifier process reads from its environment, read once at start. */
export interface NotifierConfig {
  natsUrl: string;
  databaseUrl: string;
  databaseSchema?: string;
  options: NotifierOptions;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}=${raw} must be an integer between ${min} and ${max}`);
  return n;
}

/** The notifier's options from `TY_NOTIFY_*`; a bad value throws an error naming its variable. */
export function notifierOptionsFromEnv(env: Env): NotifierOptions {
  return {
    ...DEFAULT_NOTIFIER_OPTIONS,
    backoff: {
      ...DEFAULT_BACKOFF,
      firstDelayMs: int(env, 'TY_NOTIFY_FIRST_RETRY_MS', DEFAULT_BACKOFF.firstDelayMs, 1, 3_600_000),
      maxDelayMs: int(env, 'TY_NOTIFY_MAX_RETRY_MS', DEFAULT_BACKOFF.maxDelayMs, 1, 86_400_000),
      maxAttempts: int(env, 'TY_NOTIFY_MAX_ATTEMPTS', DEFAULT_BACKOFF.maxAttempts, 1, 100),
    },
    timeoutMs: int(env, 'TY_NOTIFY_TIMEOUT_MS', DEFAULT_NOTIFIER_OPTIONS.timeoutMs, 100, 300_000),
  };
}

/** A notifier process's config (`TY_DATABASE_URL` required: PGlite is per process, and the API stores the secrets). */
export function notifierConfigFromEnv(env: Env): NotifierConfig {
  const databaseUrl = env.TY_DATABASE_URL;
  if (!databaseUrl) throw new Error('TY_DATABASE_URL is required when the notifier runs on its own (PGlite is per process)');
  return {
    natsUrl: env.TY_NATS_URL || 'nats://127.0.0.1:4222',
    databaseUrl,
    ...(env.TY_DATABASE_SCHEMA ? { databaseSchema: env.TY_DATABASE_SCHEMA } : {}),
    options: notifierOptionsFromEnv(env),
  };
}
