import { type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { natsGreets } from '@trainyard/event-log';
import type { NetHost } from '@trainyard/testing/netns';

const BIN = process.env.TY_NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
export const CLIENT_PORT = 4222;
const ROUTE_PORT = 6222;

/** One server of a {@link NatsCluster}, on a host of its own. */
export interface ClusterServer {
  /** Its `server_name` (the host's name), as JetStream's placement reports it. */
  readonly name: string;
  readonly host: NetHost;
  readonly url: string;
  readonly running: boolean;
  /** Takes it down; its store stays, so `start()` brings it back with what it had. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly servers: ClusterServer[];
  /** Every server's client URL, comma-separated (TY_NATS_URL). */
  readonly url: string;
  server(name: string): ClusterServer;
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of one nats-server per host (three for R3): each listens for clients on its
 * host's address, and routes to every other server (full mesh, given explicitly, no gossip needed).
 * Configs go to `dir`; `authorizationFile` (bootstrapBus's, in `dir`) locks the bus when given.
 */
export async function startNatsCluster(hosts: NetHost[], dir: string, opts: { authorizationFile?: string } = {}): Promise<NatsCluster> {
  const servers = hosts.map((host) => clusterServer(host, hosts, dir, opts.authorizationFile));
  // All at once: JetStream waits for a quorum of its peers before it answers.
  await Promise.all(servers.map((s) => s.start()));
  return {
    servers,
    url: servers.map((s) => s.url).join(','),
    server(name) {
      const s = servers.find((x) => x.name === name);
      if (!s) throw new Error(`no NATS server ${name}`);
      return s;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.kill('SIGTERM')));
    },
  };
}

function clusterServer(host: NetHost, all: NetHost[], dir: string, authorizationFile: string | undefined): ClusterServer {
  const q = JSON.stringify;
  const store = join(dir, host.name, 'store');
  mkdirSync(store, { recursive: true, mode: 0o700 });
  const conf = join(dir, `${host.name}.conf`);
  const routes = all.filter((h) => h !== host).map((h) => q(`nats-route://${h.address}:${ROUTE_PORT}`));
  writeFileSync(
    conf,
    [
      `server_name: ${q(host.name)}`,
      `listen: ${q(`${host.address}:${CLIENT_PORT}`)}`,
      `jetstream { store_dir: ${q(store)} }`,
      `cluster { name: "trainyard", listen: ${q(`${host.address}:${ROUTE_PORT}`)}, routes: [${routes.join(', ')}] }`,
      // nats-server resolves an include against the config's own dir, even an absolute path.
      ...(authorizationFile ? [`include ${q(relative(dir, authorizationFile))}`] : []),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  return {
    name: host.name,
    host,
    url: `nats://${host.address}:${CLIENT_PORT}`,
    get running() {
      return child !== undefined;
    },
    async start() {
      if (child) return;
      const c = host.spawn(BIN, ['-c', conf, '-l', join(dir, `${host.name}.log`)], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      let stderr = '';
      c.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
      exited = new Promise((r) => c.once('exit', () => r()));
      let gone = false;
      c.once('exit', () => {
        gone = true;
        if (child === c) child = undefined;
      });
      const deadline = Date.now() + 15_000;
      while (!(await natsGreets(CLIENT_PORT, host.address))) {
        if (gone) throw new Error(`nats-server ${host.name} exited at start: ${stderr} (log: ${join(dir, `${host.name}.log`)})`);
        if (Date.now() > deadline) throw new Error(`nats-server ${host.name} did not listen on ${host.address}:${CLIENT_PORT} in 15 s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async kill(signal = 'SIGKILL') {
      const c = child;
      if (!c) return;
      child = undefined;
      c.kill(signal);
      await exited;
    },
  };
}
