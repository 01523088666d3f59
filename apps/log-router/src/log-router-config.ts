import { retentionFromEnv } from './log-retention';

type Env = Record<string, string | undefined>;

/** Everything a log-router process reads from its environment, read once at start. */
export interface LogRouterConfig {
  /** `TY_NATS_URL`; default `nats://127.0.0.1:4222`. */
  natsUrl: string;
  /** `TY_DATABASE_URL` (required: PGlite is per process, the API must read what the router stores). */
  databaseUrl: string;
  /** `TY_DATABASE_SCHEMA`. */
  databaseSchema?: string;
  /** `TY_LOG_RETENTION_DAYS` in milliseconds. */
  retentionMs: number;
}

/** The log-router process's config; a missing or bad value throws an error naming its variable. */
export function logRouterConfigFromEnv(env: Env): LogRouterConfig {
  const databaseUrl = env.TY_DATABASE_URL;
  if (!databaseUrl) throw new Error('TY_DATABASE_URL is required when the log router runs on its own (PGlite is per process)');
  return {
    natsUrl: env.TY_NATS_URL || 'nats://127.0.0.1:4222',
    databaseUrl,
    ...(env.TY_DATABASE_SCHEMA ? { databaseSchema: env.TY_DATABASE_SCHEMA } : {}),
    retentionMs: retentionFromEnv(env),
  };
}
