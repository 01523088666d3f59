import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { NatsUnreachable } from './errors';
import { natsTlsFromEnv, natsTlsOptions } from './nats-tls';

/** The development default (ARCHITECTURE, "Real components"). */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Connects to NATS for a long-lived service: once connected, the client reconnects forever with a
 * short wait, so a NATS restart is an outage to ride out, not a crash. Only the first connection
 * may fail, with {@link NatsUnreachable} explaining how to start a local server.
 *
 * @param url `nats://host:port` (comma-separate several); default `TY_NATS_URL` or `nats://127.0.0.1:4222`.
 * @param name Client name shown by the server's monitoring, e.g. `scheduler`.
 * @param options Overrides of the nats.js connection options. TLS comes from `TY_NATS_CA` / `TY_NATS_CERT` /
 *   `TY_NATS_KEY` (nats-tls.ts) unless `options.tls` is given.
 * @example
 * ```ts
 * const nc = await connectNats(undefined, 'scheduler');
 * await awaitStreams(nc);
 * const log = new JetStreamEventLog(nc);
 * ```
 */
export async function connectNats(
  url: string = process.env.TY_NATS_URL ?? DEFAULT_NATS_URL,
  name?: string,
  options: Partial<NodeConnectionOptions> = {},
): Promise<NatsConnection> {
  const tls = 'tls' in options ? {} : natsTlsOptions(natsTlsFromEnv());
  try {
    return await connect({
      servers: url.split(',').map((s) => s.trim()),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      reconnectJitter: 100,
      // Detect a dead server in seconds rather than minutes.
      pingInterval: 10_000,
      maxPingOut: 2,
      ...tls,
      ...options,
    });
  } catch (err) {
    throw new NatsUnreachable(url, { cause: err });
  }
}
