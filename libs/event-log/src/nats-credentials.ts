import { readFileSync, statSync } from 'node:fs';
import { nkeyAuthenticator, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { BusIdentity } from '@trainyard/contracts';

/**
 * One identity's NATS credentials (issue 11): its user nkey and seed, and the inbox prefix its
 * permissions let it read. A JSON file of mode 0600, one per service and node agent, written by
 * `bootstrapBus` (`yard admin bootstrap`); `TY_NATS_CREDENTIALS` names it for a process.
 */
export interface NatsCredentials {
  identity: BusIdentity;
  nkey: string;
  seed: string;
  inboxPrefix: string;
}

export class NatsCredentialsError extends Error {
  override readonly name = 'NatsCredentialsError';
}

/** Reads a credentials file; refuses one that group or others can read, or that is not one. */
export function readNatsCredentials(file: string): NatsCredentials {
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    throw new NatsCredentialsError(`NATS credentials ${file}: ${(err as Error).message}`);
  }
  if ((st.mode & 0o077) !== 0) throw new NatsCredentialsError(`NATS credentials ${file} are readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  let c: Partial<NatsCredentials>;
  try {
    c = JSON.parse(readFileSync(file, 'utf8')) as Partial<NatsCredentials>;
  } catch {
    throw new NatsCredentialsError(`NATS credentials ${file} are not JSON`);
  }
  if (typeof c.identity !== 'string' || typeof c.seed !== 'string' || !c.seed.startsWith('SU') || typeof c.inboxPrefix !== 'string' || typeof c.nkey !== 'string') {
    throw new NatsCredentialsError(`NATS credentials ${file} need identity, nkey, seed (SU…) and inboxPrefix`);
  }
  return c as NatsCredentials;
}

/** The connection options that authenticate as `c` (none without credentials: an open bus). */
export function credentialOptions(c: NatsCredentials | undefined): Partial<NodeConnectionOptions> {
  if (!c) return {};
  return { authenticator: nkeyAuthenticator(new TextEncoder().encode(c.seed)), inboxPrefix: c.inboxPrefix };
}

/** `TY_NATS_CREDENTIALS`: this process's credentials file, if the bus is locked. */
export function natsCredentialsFromEnv(env: Record<string, string | undefined> = process.env): NatsCredentials | undefined {
  return env.TY_NATS_CREDENTIALS ? readNatsCredentials(env.TY_NATS_CREDENTIALS) : undefined;
}

