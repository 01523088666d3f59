/**
 * The task contract every runtime honours (decision 8): a shell command line, env, working dir and
 * user id in; output lines, an exit code or signal, and a graceful stop out. `process` is the first
 * runtime; `container` will implement the same port.
 */
export interface TaskRuntime {
  /**
   * Starts the task. Resolves once it runs; rejects with `LaunchError` when it cannot start (missing
   * working dir, spawn failure), in which case nothing is left running.
   */
  launch(spec: TaskSpec, onLine: LineSink): Promise<TaskHandle>;
}

export interface TaskSpec {
  /** Shell text, run as `/bin/sh -c <command>`. */
  command: string;
  cwd: string;
  /** The complete environment: nothing else is inherited. */
  env: Record<string, string>;
  /** Run as this user and group; unset runs as the agent's user. */
  uid?: number;
  gid?: number;
}

export type OutputStream = 'stdout' | 'stderr';

/**
 * Receives each output line in order: a string, or the exact bytes when the line is not UTF-8 text
 * (`LineText` of line-splitter.ts). Returning a promise applies back-pressure: the runtime stops
 * reading the task's output until it settles, so a slow log sink makes the task's writes block
 * instead of growing the agent's memory.
 */
export type LineSink = (stream: OutputStream, text: string | Uint8Array) => void | Promise<void>;

export interface TaskExit {
  /** Exit status, or null when a signal ended the process. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface TaskHandle {
  readonly pid: number;
  /** Settles once the task has exited and every output line has been handed to the sink. */
  readonly exited: Promise<TaskExit>;
  /** True once `stop` was called. */
  readonly stopRequested: boolean;
  /**
   * SIGTERM to the whole task, then SIGKILL after `graceMs` if it is still there. Idempotent: a
   * second call only waits. Resolves with the exit.
   */
  stop(graceMs: number): Promise<TaskExit>;
}

/** The task could not be started; it never ran. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}
