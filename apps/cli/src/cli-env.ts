import { setTimeout as delay } from 'node:timers/promises';

/**
 * Everything the CLI takes from the outside world, so the whole program runs in a test with captured
 * output, a chosen clock and no real waiting.
 */
export interface CliEnv {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Process environment (`TY_API_URL`). */
  vars: Record<string, string | undefined>;
  cwd: string;
  now(): Date;
  /** Rejects with an AbortError when `signal` fires, so Ctrl-C ends a wait at once. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Fires on Ctrl-C. */
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

export function processEnv(signal: AbortSignal): CliEnv {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    vars: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    sleep: (ms, s) => delay(ms, undefined, { signal: s }),
    signal,
  };
}
