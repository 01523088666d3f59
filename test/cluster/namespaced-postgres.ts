import { type ChildProcess, execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { NetHost } from '@trainyard/testing/netns';

const PG_BIN = process.env.TY_POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const PORT = 5432;

/**
 * A PostgreSQL of the test's own on a host of its own (Debian's PostgreSQL 15 binaries, a fresh
 * initdb). Why not the machine's: it listens on 127.0.0.1 of the root namespace only, which no host
 * reaches, and restarting it (scenario d) would pull the database from under every other test on
 * the machine. Runs as the `postgres` user (initdb refuses root), trust auth for the hosts' range.
 */
export interface NamespacedPostgres {
  readonly host: NetHost;
  /** `postgres://postgres@<address>:5432/<db>` */
  url(db?: string): string;
  readonly running: boolean;
  /** `SIGQUIT` (default): an immediate shutdown, as a crash: the next start recovers from the WAL. */
  kill(signal?: 'SIGQUIT' | 'SIGINT' | 'SIGKILL'): Promise<void>;
  start(): Promise<void>;
  /** Creates an empty database. */
  createDatabase(name: string): Promise<void>;
}

export async function startNamespacedPostgres(host: NetHost, dir: string): Promise<NamespacedPostgres> {
  const data = join(dir, 'data');
  const sockets = join(dir, 'sockets');
  mkdirSync(data, { recursive: true, mode: 0o700 });
  mkdirSync(sockets, { recursive: true, mode: 0o700 });
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  chownSync(data, uid, gid);
  chownSync(sockets, uid, gid);
  const asPostgres = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--init-groups'];
  execFileSync(asPostgres[0]!, [...asPostgres.slice(1), join(PG_BIN, 'initdb'), '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { stdio: 'pipe' });
  appendFileSync(join(data, 'pg_hba.conf'), 'host all all 198.18.0.0/15 trust\n');

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const url = (db = 'postgres') => `postgres://postgres@${host.address}:${PORT}/${db}`;
  const self: NamespacedPostgres = {
    host,
    url,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child) return;
      // setpriv execs postgres, so signals reach the postmaster itself. Durability against a power
      // cut is not what the tests are about: no fsync (a killed server loses nothing the kernel has).
      const c = host.spawn(asPostgres[0]!, [...asPostgres.slice(1), join(PG_BIN, 'postgres'), '-D', data, '-c', `listen_addresses=${host.address}`, '-c', `port=${PORT}`, '-c', `unix_socket_directories=${sockets}`, '-c', 'fsync=off', '-c', 'max_connections=300'], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      let err = '';
      c.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
      exited = new Promise((r) => c.once('exit', () => r()));
      c.once('exit', () => {
        if (child === c) child = undefined;
      });
      const deadline = Date.now() + 30_000;
      for (;;) {
        if (!child) throw new Error(`postgres exited at start:\n${err}`);
        const ok = await query(url(), 'select 1').then(() => true, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`postgres did not answer on ${host.address}:${PORT} in 30 s:\n${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill(signal = 'SIGQUIT') {
      const c = child;
      if (!c) return;
      child = undefined;
      c.kill(signal);
      await exited;
    },
    createDatabase: (name) => query(url(), `create database "${name}"`),
  };
  await self.start();
  return self;
}

async function query(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  // A refused connection emits 'error' as well as rejecting connect().
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
