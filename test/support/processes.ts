import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_ADMIN_TOKEN } from '@trainyard/testing';

export const ROOT = resolve(__dirname, '../..');
const NODE = process.execPath;

let built = false;

/** Compiles apps and libs to dist/ once per test run, so tests can start real service processes. */
export function buildOnce(): void {
  if (built) return;
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
  built = true;
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown hooks run, as in a crash. */
  kill(): Promise<void>;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
}

let servicesBuilt = false;

/** Compiles only apps and libs (no web console) to dist/: enough for service processes and `yard`, in seconds. */
export function buildServicesOnce(): void {
  if (built || servicesBuilt) return;
  execFileSync('npx', ['swc', 'apps', 'libs', '-d', 'dist', '--copy-files', '--config-file', '.swcrc', '-q', '--ignore', 'apps/console/**'], { cwd: ROOT, stdio: 'pipe' });
  servicesBuilt = true;
}

/** Where and how long {@link startService} starts a service. */
export interface StartServiceOptions {
  /** An argv prefix the service runs under, e.g. a host's `['ip', 'netns', 'exec', ns]` (it must exec, not fork). */
  launcher?: readonly string[];
  /** How long it may take to say it is ready. Default 30 s. */
  readyTimeoutMs?: number;
}

/** Starts `dist/apps/<app>/src/main.js` (with `args`) as its own process and waits until it prints `ready`. */
export async function startService(name: string, app: string, env: Record<string, string>, ready: RegExp, args: string[] = [], opts: StartServiceOptions = {}): Promise<ServiceProcess> {
  const [cmd, ...prefix] = [...(opts.launcher ?? []), NODE];
  const child = spawn(cmd!, [...prefix, resolve(ROOT, 'dist/apps', app, 'src/main.js'), ...args], {
    cwd: ROOT,
    // Readiness is read from the service's info line ("node agent ready"): tests run at warn
    // (vitest.config.mts), so a started service logs at info unless the caller says otherwise.
    env: { ...process.env, TY_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not get ready:\n${out}`)), opts.readyTimeoutMs ?? 30_000);
    const check = () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolveReady();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${out}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await exited;
  };
  return { name, child, output: () => out, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

/** Runs the built `yard` CLI and returns its exit code and output. */
export function yard(args: string[], apiUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    // As the test clusters' admin, and never with the machine's own CLI config.
    const env = { ...process.env, TY_TOKEN: TEST_ADMIN_TOKEN, TY_CONFIG: '/nonexistent/trainyard-test-config.yaml' };
    const child = spawn(NODE, [resolve(ROOT, 'bin/yard.js'), ...args, '--api', apiUrl], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
  });
}
