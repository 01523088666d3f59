import { type ChildProcess, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { LineSplitter, type LineText } from './line-splitter';
import {
  LaunchError,
  type LineSink,
  type OutputStream,
  type TaskExit,
  type TaskHandle,
  type TaskRuntime,
  type TaskSpec,
} from './task-runtime';

export interface ProcessRuntimeOptions {
  /**
   * After the shell exits, how long output may stay silent before the pipes are closed anyway: a
   * daemon that left the process group can hold them open forever.
   */
  drainMs?: number;
}

/**
 * Runs a task as `/bin/sh -c <command>` in a process group of its own, so a stop reaches everything
 * the script started. Like a container, the task ends when its main process does: whatever is left
 * in the group is then killed.
 */
export function processRuntime(options: ProcessRuntimeOptions = {}): TaskRuntime {
  const drainMs = options.drainMs ?? 2000;
  return {
    async launch(spec, onLine) {
      const cwd = await stat(spec.cwd).catch(() => undefined);
      if (!cwd?.isDirectory()) throw new LaunchError(`working directory ${spec.cwd} does not exist`);
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', spec.command], {
          cwd: spec.cwd,
          env: spec.env,
          uid: spec.uid,
          gid: spec.gid ?? spec.uid,
          detached: true, // setsid: the shell leads a new process group
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (cause) {
        throw new LaunchError(`cannot start /bin/sh: ${(cause as Error).message}`, { cause });
      }
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (cause) => reject(new LaunchError(`cannot start /bin/sh: ${cause.message}`, { cause })));
      });
      return new ProcessTask(child, onLine, drainMs);
    },
  };
}

class ProcessTask implements TaskHandle {
  readonly pid: number;
  readonly exited: Promise<TaskExit>;
  stopRequested = false;
  private killTimer?: NodeJS.Timeout;
  private paused = 0;

  constructor(
    private readonly child: ChildProcess,
    private readonly onLine: LineSink,
    private readonly drainMs: number,
  ) {
    this.pid = child.pid!;
    const out = this.read('stdout');
    const err = this.read('stderr');
    this.exited = new Promise<TaskExit>((resolve) => {
      child.once('exit', (exitCode, signal) => {
        clearTimeout(this.killTimer);
        this.signal('SIGKILL'); // leftovers of the group, as when a container's main process ends
        void Promise.all([out, err]).then(() => resolve({ exitCode, signal }));
        this.drainWatch();
      });
    });
  }

  stop(graceMs: number): Promise<TaskExit> {
    if (!this.stopRequested && this.child.exitCode === null && this.child.signalCode === null) {
      this.stopRequested = true;
      this.signal('SIGTERM');
      this.killTimer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    }
    this.stopRequested = true;
    return this.exited;
  }

  stopNow(): void {
    if (!this.stopRequested) return;
    clearTimeout(this.killTimer);
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already gone.
    }
  }

  /** Resolves when the stream has ended (or was cut off) and every line went to the sink. */
  private read(name: OutputStream): Promise<void> {
    const stream = this.child[name]!;
    const splitter = new LineSplitter();
    let last: Promise<void> = Promise.resolve();
    const deliver = (lines: LineText[]) => {
      const pending = lines.map((l) => this.onLine(name, l)).filter((p): p is Promise<void> => p instanceof Promise);
      if (pending.length === 0) return;
      stream.pause();
      this.paused++;
      last = Promise.all(pending).then(
        () => {
          this.paused--;
          stream.resume();
        },
        () => {
          this.paused--;
          stream.resume();
        },
      );
    };
    stream.on('data', (chunk: Buffer) => {
      this.lastData = Date.now();
      deliver(splitter.push(chunk));
    });
    return new Promise((resolve) => {
      stream.once('close', () => {
        deliver(splitter.end());
        void last.then(resolve);
      });
    });
  }

  private lastData = 0;

  /**
   * After exit the pipes normally close at once. If output stays silent for `drainMs` while nobody is
   * back-pressuring, a process outside the group holds them: cut them so the exit is reported.
   */
  private drainWatch(): void {
    const check = () => {
      const open = !this.child.stdout!.closed || !this.child.stderr!.closed;
      if (!open) return;
      if (this.paused === 0 && Date.now() - this.lastData >= this.drainMs) {
        this.child.stdout!.destroy();
        this.child.stderr!.destroy();
        return;
      }
      setTimeout(check, Math.max(10, this.drainMs / 4)).unref();
    };
    setTimeout(check, this.drainMs).unref();
  }
}
