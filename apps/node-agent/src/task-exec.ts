import { spawn } from 'node:child_process';
import { EXEC_LIMITS, type ExecResult } from '@trainyard/contracts';

/** Runs one command in a task and answers with its bounded output and exit. */
export type ExecRunner = (command: string[], timeoutMs: number) => Promise<ExecResult>;

/** Where a process task runs: an exec into it runs there too (its directory, user and environment). */
export interface ExecContext {
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

/**
 * Runs `command` (no shell: the argv as given) as the task's user in its working directory with its
 * environment, in a process group of its own so a time-out ends all of it. Output beyond
 * `maxBytes` per stream is dropped and said so; the command's own exit code comes back.
 */
export function runExec(ctx: ExecContext, command: string[], timeoutMs: number, maxBytes: number = EXEC_LIMITS.maxOutputBytes): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ctx.cwd,
      env: ctx.env,
      ...(ctx.uid !== undefined ? { uid: ctx.uid, gid: ctx.gid ?? ctx.uid } : {}),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: new Bounded(maxBytes), stderr: new Bounded(maxBytes) };
    child.stdout!.on('data', (d: Buffer) => out.stdout.add(d));
    child.stderr!.on('data', (d: Buffer) => out.stderr.add(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, timeoutMs);
    const done = (exitCode: number | null, signal: string | null, spawnError?: Error) => {
      clearTimeout(timer);
      const stderr = spawnError ? `${out.stderr.text()}${spawnError.message}\n` : out.stderr.text();
      resolve({ exitCode: spawnError ? 127 : exitCode, signal, stdout: out.stdout.text(), stderr, truncated: out.stdout.cut || out.stderr.cut, timedOut });
    };
    child.once('error', (err) => done(null, null, err));
    child.once('close', (code, signal) => done(code, signal));
  });
}

/** Keeps the first `max` bytes of a stream. */
export class Bounded {
  private readonly parts: Buffer[] = [];
  private size = 0;
  cut = false;
  constructor(private readonly max: number) {}
  add(d: Buffer): void {
    const room = this.max - this.size;
    if (room <= 0) return void (this.cut = true);
    const kept = d.length > room ? d.subarray(0, room) : d;
    if (kept.length < d.length) this.cut = true;
    this.parts.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString('utf8');
  }
}
