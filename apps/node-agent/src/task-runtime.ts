import type { ExecResult } from '@trainyard/contracts';
import type { TaskDevices } from './task-devices';
import type { GroupCounters } from './resource-sampler';
/**
 * The task contract every runtime honours (decision 8): a shell command line, env, working dir and
 * user id in; output lines, an exit code or signal, and a graceful stop out. Implemented by the
 * supervised process runtime (`supervised-process-runtime.ts`), the container runtime
 * (`container-runtime.ts`) and the plain process runtime (`process-runtime.ts`, no re-adoption).
 */
export interface TaskRuntime {
  /**
   * Starts the task. Resolves once it runs; rejects with `LaunchError` when it cannot start (missing
   * working dir, spawn failure), in which case nothing is left running.
   */
  launch(spec: TaskSpec, onLine: LineSink): Promise<TaskHandle>;
  /**
   * Follows a task an earlier run of the agent launched (ARCHITECTURE decision 5), found by its
   * identity: replays its output from the first line into `onLine` (the same lines in the same order
   * as the first run saw, so line numbers repeat and the log store keeps each line once) and keeps
   * following it; `exited` then gives its real exit, even when it ended while the agent was down.
   * Resolves undefined when nothing of the task is left. Runtimes that cannot adopt omit it.
   */
  adopt?(identity: TaskIdentity, onLine: LineSink): Promise<TaskHandle | undefined>;
  /**
   * Whether the attempt's command may have run under this runtime: false only when it surely never
   * did (no trace of a started command, nothing of it alive), so launching it again cannot run it
   * twice (issue 9: the platform relaunches what its own crash lost). Asked after `adopt` found
   * nothing. Runtimes that cannot tell omit it; the attempt is then reported lost.
   */
  everStarted?(identity: TaskIdentity): Promise<boolean>;
}

/** Which attempt a task is, and which node agent runs it. */
export interface TaskIdentity {
  nodeId: string;
  jobId: string;
  task: string;
  attempt: number;
}

/** A host path mounted into a container. */
export interface TaskMount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface TaskSpec {
  /** Shell text, run as `/bin/sh -c <command>`. */
  command: string;
  cwd: string;
  /** The complete environment: nothing else is inherited. */
  env: Record<string, string>;
  /** Run as this user and group; unset runs as the agent's user (containers: the runtime's default, 1000). */
  uid?: number;
  gid?: number;
  /**
   * The attempt and its node: containers carry it as labels, the supervised process runtime names its
   * files by it, and both find the task again by it after an agent restart (`adopt`).
   */
  identity?: TaskIdentity;
  /** Container runtime only: the image, and host paths mounted into it. `cwd` and `env` are then the container's. */
  container?: { image: string; mounts: TaskMount[]; devices?: TaskDevices };
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
   * Cumulative CPU, memory and disk counters of the task from the runtime itself (a container's, from
   * the engine's stats API). Absent: the resource sampler reads the process group of `pid` in `/proc`.
   */
  resourceCounters?(): Promise<GroupCounters>;
  /**
   * SIGTERM to the whole task, then SIGKILL after `graceMs` if it is still there. Idempotent: a
   * second call only waits. Resolves with the exit.
   */
  stop(graceMs: number): Promise<TaskExit>;
  /**
   * After `stop`: SIGKILL now instead of at the end of the grace period — the task acknowledged a
   * checkpoint during its preemption notice, so nothing is lost by ending it (issue 16).
   */
  stopNow?(): void;
  /**
   * Runs a command inside the task where the runtime can (a container's engine exec, `yard exec`);
   * absent for a process task, whose directory, user and environment the agent knows itself.
   */
  exec?(command: string[], timeoutMs: number): Promise<ExecResult>;
  /**
   * The exit is reported: drop what the runtime kept so a restarted agent could still read the exit
   * and the output (the container, the supervisor's files). Only after `exited` settled.
   */
  release?(): Promise<void>;
  /**
   * Stops following the task and leaves it running (the agent is going away; a later run adopts it).
   * `exited` then never settles.
   */
  detach?(): void;
}

/** The task could not be started; it never ran. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}
