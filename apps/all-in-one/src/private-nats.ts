import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { bootstrapBus, natsGreets, writeNatsServerConfig } from '@trainyard/event-log';

/** `npm start`'s own NATS: locked with the cluster's credentials, its store under the data dir. */
export interface PrivateNats {
  url: string;
  /** The credentials files of every service and agent (`bootstrapBus`). */
  credentialsDir: string;
  /** `reused`: a server an earlier `npm start` left running (its pid file names it). */
  reused: boolean;
  stop(): Promise<void>;
}

/**
 * Starts (or finds again) a nats-server of this cluster's own: `<dataDir>/nats` holds the bus's
 * credentials and authorization block (written on the first start, kept after), the server's config
 * and its JetStream store; it listens on 127.0.0.1 at the port of its config (a free one the first
 * time). `npm start` uses it when `TY_NATS_URL` is not set, because the machine's shared NATS has no
 * authorization and a locked bus is the default (docs/architecture.md, "A bus that trusts no message").
 */
export async function startPrivateNats(dataDir: string, nodeIds: string[], bin = process.env.TY_NATS_SERVER_BIN ?? '/usr/sbin/nats-server'): Promise<PrivateNats> {
  const dir = join(dataDir, 'nats');
  const credentialsDir = join(dir, 'bus');
  const storeDir = join(dir, 'store');
  mkdirSync(storeDir, { recursive: true, mode: 0o700 });
  bootstrapBus(credentialsDir, nodeIds);
  const pidFile = join(dir, 'nats-server.pid');
  const confFile = join(credentialsDir, 'nats-server.conf');
  const earlierPort = existsSync(confFile) ? Number(/listen: "127\.0\.0\.1:(\d+)"/.exec(readFileSync(confFile, 'utf8'))?.[1]) : NaN;
  // A server an earlier run left behind (that run was killed): the same store must not get two.
  const earlier = runningServer(pidFile, confFile);
  if (earlier && Number.isInteger(earlierPort)) {
    return { url: `nats://127.0.0.1:${earlierPort}`, credentialsDir, reused: true, stop: async () => void terminate(earlier) };
  }
  if (!existsSync(bin)) throw new Error(`no nats-server at ${bin}: install it (apt-get install nats-server), set TY_NATS_SERVER_BIN, or point TY_NATS_URL at a running NATS with JetStream`);
  const port = Number.isInteger(earlierPort) && (await portFree(earlierPort)) ? earlierPort : await freePort();
  writeNatsServerConfig(credentialsDir, { port, storeDir });
  const child = spawn(bin, ['-c', confFile, '-P', pidFile, '-l', join(dir, 'nats-server.log')], { stdio: 'ignore' });
  await waitForServer(child, port);
  return {
    url: `nats://127.0.0.1:${port}`,
    credentialsDir,
    reused: false,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The pid of the pid file when that process is a nats-server running this config. */
function runningServer(pidFile: string, confFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('nats-server')) && cmdline.includes(confFile) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function terminate(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Gone already.
  }
}

async function waitForServer(child: ChildProcess, port: number): Promise<void> {
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`nats-server exited (code ${exited}) before it listened on ${port}; see its log under the data dir's nats/`);
    if (await natsGreets(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server did not listen on 127.0.0.1:${port} within 15 s`);
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
