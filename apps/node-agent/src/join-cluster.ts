import { SUBJECT_TOKEN } from '@trainyard/contracts';
import { readNatsCredentials, type NatsCredentials } from '@trainyard/event-log';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Joining the cluster (issue 12): an agent started with `--join <api-url> --token T` (or
 * `TY_JOIN_URL` / `TY_JOIN_TOKEN`) fetches its node's NATS credentials from the API once, writes them
 * where `TY_NATS_CREDENTIALS` says (default `<TY_DATA_DIR>/nats.creds.json`, mode 0600) and starts as
 * that node. Later starts find the file and skip the join, so a unit or DaemonSet may keep the
 * flags: the token is single-use and would be refused a second time.
 */
export interface JoinRequest {
  apiUrl: string;
  token: string;
}

export class JoinError extends Error {
  override readonly name = 'JoinError';
}

type Env = Record<string, string | undefined>;

/** The join asked for by `argv` (`--join URL --token T`, `--join=URL`) or the environment; none when neither names one. */
export function joinRequestFrom(argv: readonly string[], env: Env): JoinRequest | undefined {
  const flag = (name: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === `--${name}`) return argv[i + 1];
      if (argv[i]!.startsWith(`--${name}=`)) return argv[i]!.slice(name.length + 3);
    }
    return undefined;
  };
  const unknown = argv.filter((a) => a.startsWith('--') && !/^--(join|token)(=|$)/.test(a));
  if (unknown.length) throw new JoinError(`unknown option ${unknown[0]}: the agent takes --join <api-url> --token <join token> (the rest is TY_* variables)`);
  const apiUrl = flag('join') ?? (env.TY_JOIN_URL || undefined);
  const token = flag('token') ?? (env.TY_JOIN_TOKEN || undefined);
  if (!apiUrl && !token) return undefined;
  if (!apiUrl || !token) throw new JoinError('joining needs both --join <api-url> and --token <join token> (TY_JOIN_URL, TY_JOIN_TOKEN)');
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new JoinError(`--join ${apiUrl}: not a URL (e.g. https://trainyard-api:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new JoinError(`--join ${apiUrl}: must be an http or https URL`);
  if (!/^tyj_[a-z2-7]{12}_[A-Za-z0-9_-]{43}$/.test(token)) throw new JoinError('--token: not a join token (tyj_…; an admin makes one with yard admin node join-token --node <id>)');
  return { apiUrl: url.toString().replace(/\/$/, ''), token };
}

/** Where the joined node's credentials live: `TY_NATS_CREDENTIALS`, else `<TY_DATA_DIR or .data>/nats.creds.json`. */
export function joinedCredentialsPath(env: Env): string {
  return resolve(env.TY_NATS_CREDENTIALS || resolve(env.TY_DATA_DIR ?? '.data', 'nats.creds.json'));
}

/**
 * Joins unless `path` already holds credentials (then they are used as they are). Returns the node
 * id the credentials are for and their file; the caller starts the agent with both.
 */
export async function joinCluster(req: JoinRequest, path: string, env: Env, fetchImpl: typeof fetch = fetch): Promise<{ nodeId: string; credentialsFile: string; joined: boolean }> {
  if (existsSync(path)) return { nodeId: nodeOf(readNatsCredentials(path), env), credentialsFile: path, joined: false };
  let res: Response;
  try {
    res = await fetchImpl(`${req.apiUrl}/v1/nodes/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: req.token }) });
  } catch (err) {
    throw new JoinError(`cannot reach the API at ${req.apiUrl} to join: ${(err as Error).message}`);
  }
  const body = (await res.json().catch(() => ({}))) as { nodeId?: string; credentials?: NatsCredentials; code?: string; message?: string };
  if (!res.ok) throw new JoinError(`the API refused to let this node join (${res.status} ${body.code ?? ''}): ${body.message ?? 'no reason given'}`);
  if (!body.credentials || typeof body.nodeId !== 'string' || !SUBJECT_TOKEN.test(body.nodeId)) throw new JoinError('the API answered the join without credentials');
  if (env.TY_NODE_ID && env.TY_NODE_ID !== body.nodeId) {
    throw new JoinError(`the join token is for node ${body.nodeId}, but TY_NODE_ID is ${env.TY_NODE_ID}; the token is spent: ask for a new one for ${env.TY_NODE_ID}`);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written whole or not at all: a half-written file would make every later start skip the join.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body.credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
  return { nodeId: nodeOf(readNatsCredentials(path), env), credentialsFile: path, joined: true };
}

function nodeOf(c: NatsCredentials, env: Env): string {
  const m = /^agent-(.+)$/.exec(c.identity);
  if (!m) throw new JoinError(`credentials of ${c.identity} are not a node agent's`);
  if (env.TY_NODE_ID && env.TY_NODE_ID !== m[1]) throw new JoinError(`the credentials are node ${m[1]}'s, but TY_NODE_ID is ${env.TY_NODE_ID}`);
  return m[1]!;
}
