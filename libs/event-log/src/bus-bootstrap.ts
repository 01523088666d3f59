import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { agentIdentity, type BusIdentity, inboxPrefixOf, renderAuthorization, SERVICE_IDENTITIES } from '@trainyard/contracts';
import { type NatsCredentials, readNatsCredentials } from './nats-credentials';

/** Where {@link bootstrapBus} puts an identity's credentials. */
export const credentialsFile = (dir: string, identity: BusIdentity) => join(dir, `${identity}.creds.json`);
/** The authorization include file {@link bootstrapBus} writes. */
export const AUTHORIZATION_FILE = 'trainyard-auth.conf';

export interface BusBootstrap {
  /** The server's authorization block (public keys only): `include` it from nats-server.conf. */
  authorizationFile: string;
  credentials: Map<BusIdentity, string>;
}

/**
 * Writes the bus's users for these node ids and every service: one credentials file each (mode
 * 0600; an existing one is kept, so running it again with more nodes keeps the others' keys) and
 * the server's authorization include file listing exactly these identities.
 */
export function bootstrapBus(dir: string, nodeIds: string[]): BusBootstrap {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const identities: BusIdentity[] = [...SERVICE_IDENTITIES, ...[...new Set(nodeIds)].map(agentIdentity)];
  const credentials = new Map<BusIdentity, string>();
  const users = identities.map((identity) => {
    const file = credentialsFile(dir, identity);
    const c = existsSync(file) ? readNatsCredentials(file) : newCredentials(identity);
    if (!existsSync(file)) writeFileSync(file, `${JSON.stringify(c, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    credentials.set(identity, file);
    return { identity, nkey: c.nkey };
  });
  const authorizationFile = join(dir, AUTHORIZATION_FILE);
  writeFileSync(authorizationFile, renderAuthorization(users), { mode: 0o600 });
  return { authorizationFile, credentials };
}

function newCredentials(identity: BusIdentity): NatsCredentials {
  const kp = nkeys.createUser();
  return { identity, nkey: kp.getPublicKey(), seed: new TextDecoder().decode(kp.getSeed()), inboxPrefix: inboxPrefixOf(identity) };
}

/**
 * A nats-server configuration of its own next to the authorization file (`npm start`'s private
 * server, the tests' locked servers): JetStream in `storeDir`, listening on 127.0.0.1:`port`.
 */
export function writeNatsServerConfig(dir: string, opts: { port: number; storeDir: string }): string {
  const file = join(dir, 'nats-server.conf');
  const q = JSON.stringify;
  writeFileSync(file, [`listen: ${q(`127.0.0.1:${opts.port}`)}`, `jetstream { store_dir: ${q(opts.storeDir)} }`, `include ./${AUTHORIZATION_FILE}`, ''].join('\n'), { mode: 0o600 });
  return file;
}
