/**
 * Clustered JetStream streams before nats-server 2.9.21 could accept two publishes carrying the same
 * expected last sequence (nats-server#4320): the optimistic concurrency every decider relies on
 * (`Nats-Expected-Last-Subject-Sequence`) would then let two writers both win. A single-replica stream
 * is not affected, so only `num_replicas > 1` is gated.
 */
export const MIN_REPLICATED_SERVER_VERSION = '2.9.21';

/** `TY_ALLOW_REPLICAS_ON_OLD_NATS=1`: tests on an older server may still replicate, loudly. */
export const ALLOW_OLD_NATS_REPLICAS_ENV = 'TY_ALLOW_REPLICAS_ON_OLD_NATS';

export type ServerVersion = readonly [major: number, minor: number, patch: number, prerelease: boolean];

/** `2.9.10` → [2, 9, 10, false]; `v2.10.0-beta.3` → [2, 10, 0, true]; anything else → undefined. */
export function parseServerVersion(raw: string | undefined): ServerVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.exec((raw ?? '').trim());
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] !== undefined];
}

/** True when `v` is at or after `min` (a pre-release of a version comes before it, as in semver). */
export function versionAtLeast(v: ServerVersion, min: ServerVersion): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return (v[i] as number) > (min[i] as number);
  return !v[3] || min[3];
}

export type ReplicationVerdict =
  | { action: 'allow' }
  | { action: 'allow-unsafe'; warning: string }
  | { action: 'refuse'; reason: string };

/**
 * Whether a stream of `replicas` replicas may be created or used on a server that said `serverVersion`
 * in its INFO. An unreadable version counts as too old: the gate fails closed.
 *
 * @example
 * ```ts
 * replicationVerdict({ serverVersion: '2.9.10', replicas: 1 })                    // { action: 'allow' }
 * replicationVerdict({ serverVersion: '2.9.10', replicas: 3 })                    // { action: 'refuse', … }
 * replicationVerdict({ serverVersion: '2.9.10', replicas: 3, allowOld: true })   // { action: 'allow-unsafe', … }
 * replicationVerdict({ serverVersion: '2.10.4', replicas: 3 })                    // { action: 'allow' }
 * ```
 */
export function replicationVerdict(input: { serverVersion: string | undefined; replicas: number; allowOld?: boolean; stream?: string }): ReplicationVerdict {
  if (input.replicas <= 1) return { action: 'allow' };
  const v = parseServerVersion(input.serverVersion);
  if (v && versionAtLeast(v, parseServerVersion(MIN_REPLICATED_SERVER_VERSION)!)) return { action: 'allow' };
  const what = `${input.stream ? `stream ${input.stream} with ` : ''}${input.replicas} replicas on nats-server ${input.serverVersion ?? '(version unknown)'}`;
  const why = `clustered streams before ${MIN_REPLICATED_SERVER_VERSION} can accept two writes with the same expected sequence (nats-server#4320)`;
  if (input.allowOld) {
    return { action: 'allow-unsafe', warning: `UNSAFE: ${what}, allowed by ${ALLOW_OLD_NATS_REPLICAS_ENV}=1 — ${why}; never do this in production` };
  }
  return { action: 'refuse', reason: `${what} refused: ${why}; upgrade the servers to ${MIN_REPLICATED_SERVER_VERSION} or later (or use 1 replica)` };
}

/** `TY_STREAM_REPLICAS` (default 1): how many replicas a stream's owner gives the streams it creates. */
export function streamReplicasFromEnv(env: Record<string, string | undefined> = process.env): number {
  const raw = env.TY_STREAM_REPLICAS?.trim() || '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new RangeError(`TY_STREAM_REPLICAS=${raw} must be an integer from 1 to 5 (JetStream's limit)`);
  return n;
}

/** `TY_ALLOW_REPLICAS_ON_OLD_NATS=1` — only exactly `1` counts, so a stray value never opens the gate. */
export function allowOldNatsReplicasFromEnv(env: Record<string, string | undefined> = process.env): boolean {
  return env[ALLOW_OLD_NATS_REPLICAS_ENV] === '1';
}
