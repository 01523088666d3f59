import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natsGreets } from '@trainyard/event-log';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Server binary. Default `TY_NATS_SERVER_BIN` or `/usr/sbin/nats-server`. */
  bin?: string;
  /** JetStream store directory. Default: a fresh temporary directory, removed on `stop()`. */
  storeDir?: string;
  /** Extra command-line arguments, e.g. `['-DV']` to debug the protocol. */
  args?: string[];
  /** How long to wait for the server to accept connections. Default 15 s. */
  startTimeoutMs?: number;
}

/** How {@link NatsServer.restart} takes the server down. */
export interface RestartOptions {
  /** `SIGTERM` (default) shuts down cleanly; `SIGKILL` simulates a crash. */
  signal?: 'SIGTERM' | 'SIGKILL';
  /** Time the server stays down before it starts again. Default 0. */
  downtimeMs?: number;
}

/**
 * A private `nats-server -js` child process for one test file. Stream names and subjects are fixed
 * (`ty.ev.>`, `ty.log.>`), so isolation comes from one server per file, not from unique names.
 *
 * @example
 * ```ts
 * await using nats = await startNatsServer();
 * const nc = await connectNats(nats.url, 'test');
 * await nats.restart(); // same port and store dir: JetStream data survives
 * ```
 */
export interface NatsServer extends AsyncDisposable {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Whether the child process is running. */
  readonly running: boolean;
  /** Takes the server down and starts it again on the same port with the same store dir. */
  restart(opts?: RestartOptions): Promise<void>;
  /** Takes the server down, keeping the store dir, so a test can observe an outage; `start()` undoes it. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts a server taken down by `kill()`. */
  start(): Promise<void>;
  /** Stops the server for good and removes a store dir this fixture created. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_BIN = process.env.TY_NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

// Children still running when the test process exits would outlive it and hold their ports.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * A test worker can also die without an 'exit' event (vitest terminates its workers with a
 * signal; a test can time out mid-teardown). A watchdog shell holds a pipe from this process and
 * terminates the server when the pipe closes, whatever killed us.
 */
function watch(server: ChildProcess, removeDir: string | undefined): ChildProcess {
  const script =
    'cat >/dev/null; kill -TERM "$0" 2>/dev/null; [ -z "$1" ] && exit 0; ' +
    // Give the server up to 5 s to let go of its store, then remove it.
    'i=0; while kill -0 "$0" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; rm -rf "$1"';
  const dog = spawn('sh', ['-c', script, String(server.pid), removeDir ?? ''], { stdio: ['pipe', 'ignore', 'ignore'] });
  dog.on('error', () => undefined);
  dog.unref();
  (dog.stdin as unknown as { unref?: () => void }).unref?.();
  // Once the server is gone its pid may be reused: the watchdog must go first.
  server.once('exit', () => dog.kill('SIGKILL'));
  return dog;
}

/** Spawns a private JetStream-enabled nats-server on a free port and waits until it accepts clients. */
export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServer> {
  const bin = opts.bin ?? DEFAULT_BIN;
  const startTimeoutMs = opts.startTimeoutMs ?? 15_000;
  const ownsStoreDir = opts.storeDir === undefined;
  const storeDir = opts.storeDir ?? (await mkdtemp(join(tmpdir(), 'ty-nats-')));

  let port = 0;
  let child: ChildProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir, ...(opts.args ?? [])];
    child = await spawnAndWait(bin, args, port, startTimeoutMs, ownsStoreDir ? storeDir : undefined);
  };

  // A free port can be taken between probing and binding (other test files start servers too),
  // so the first start retries with a new port; later restarts must keep the one they have.
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await launch();
      break;
    } catch (err) {
      if (attempt >= 5 || !(err instanceof ServerExited)) {
        if (ownsStoreDir) await rm(storeDir, { recursive: true, force: true });
        throw err;
      }
    }
  }

  const kill = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const c = child;
    child = undefined;
    if (c) await terminate(c, signal);
  };

  const server: NatsServer = {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get running() {
      return child !== undefined;
    },
    kill,
    async start() {
      if (stopped) throw new Error('nats-server fixture was stopped');
      if (!child) await launch();
    },
    async restart(r: RestartOptions = {}) {
      if (stopped) throw new Error('nats-server fixture was stopped');
      await kill(r.signal ?? 'SIGTERM');
      if (r.downtimeMs) await sleep(r.downtimeMs);
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await kill('SIGTERM');
      if (ownsStoreDir) await rm(storeDir, { recursive: true, force: true });
    },
    [Symbol.asyncDispose]() {
      return server.stop();
    },
  };
  return server;
}

class ServerExited extends Error {
  override name = 'ServerExited';
}

async function spawnAndWait(
  bin: string,
  args: string[],
  port: number,
  timeoutMs: number,
  removeDirIfOrphaned: string | undefined,
): Promise<ChildProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  watch(child, removeDirIfOrphaned);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  child.once('exit', (code, signal) => {
    exited = { code, signal };
    live.delete(child);
  });

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`cannot run ${bin}: ${spawnError.message}`, { cause: spawnError });
    if (exited) {
      throw new ServerExited(`nats-server on port ${port} exited (code ${exited.code}, signal ${exited.signal}):\n${stderr}`);
    }
    if (await natsGreets(port)) return child;
    await sleep(25);
  }
  await terminate(child, 'SIGKILL');
  throw new Error(`nats-server on port ${port} did not accept connections within ${timeoutMs} ms:\n${stderr}`);
}

function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
