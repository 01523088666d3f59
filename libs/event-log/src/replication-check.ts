import type { NatsConnection } from '@nats-io/transport-node';
import { allowOldNatsReplicasFromEnv, replicationVerdict, streamReplicasFromEnv } from './replication-gate';

/** A replicated stream on a nats-server too old to keep its expected-sequence promise. */
export class UnsafeReplication extends Error {
  override readonly name = 'UnsafeReplication';
  readonly code = 'UNSAFE_REPLICATION';
}

export interface ReplicationCheckOptions {
  /** Default `TY_ALLOW_REPLICAS_ON_OLD_NATS=1` in the environment. */
  allowOld?: boolean;
  /** Where the override's warning goes; default stderr, so it is never silent. */
  warn?: (message: string) => void;
}

/**
 * The edge of {@link replicationVerdict}: the version is the one the server sent in its INFO when
 * this connection was made (nats.js keeps it as `nc.info`). Throws {@link UnsafeReplication} on a
 * refusal; an override is allowed and said out loud every time.
 */
export function checkReplication(nc: Pick<NatsConnection, 'info'>, stream: string, replicas: number, opts: ReplicationCheckOptions = {}): void {
  const verdict = replicationVerdict({ serverVersion: nc.info?.version, replicas, stream, allowOld: opts.allowOld ?? allowOldNatsReplicasFromEnv() });
  if (verdict.action === 'refuse') throw new UnsafeReplication(verdict.reason);
  if (verdict.action === 'allow-unsafe') (opts.warn ?? ((m) => console.error(`\n*** ${m} ***\n`)))(verdict.warning);
}

/**
 * Replicas for a store a service creates beside the streams (the leader-lease and flavor KV buckets,
 * the dead-letter stream): `TY_STREAM_REPLICAS`, through the same gate. On a cluster a lease bucket
 * of one replica would live on one server, and losing it would leave no replica able to lead.
 */
export function storeReplicas(nc: Pick<NatsConnection, 'info'>, store: string, env: Record<string, string | undefined> = process.env, opts: ReplicationCheckOptions = {}): number {
  const replicas = streamReplicasFromEnv(env);
  checkReplication(nc, store, replicas, { allowOld: allowOldNatsReplicasFromEnv(env), ...opts });
  return replicas;
}
