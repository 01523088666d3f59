import { type ChildProcess, spawn } from 'node:child_process';
import { chown, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { exitFromStatus } from './exit-status';
import { processStartTicks } from './launch-record';
import { tailFrames } from './output-journal';
import { pumpLines } from './output-pump';
import { noteNormalExit, readNumberFile, type RunFiles, runFiles, SUPERVISOR_SCRIPT, writeSmallFile } from './task-supervisor';
import { mkdirMode, WORK_DIR_MODES } from './work-dir-access';
import { LaunchError, type LineSink, type TaskExit, type TaskHandle, type TaskIdentity, type TaskRuntime } from './task-runtime';

export interface SupervisedProcessRuntimeOptions {
  /** Where the run dirs live (`<stateDir>/<job>.<task>.<attempt>.run/`); the agent's, out of the task's reach. */
  stateDir: string;
  /** How often idle output and the exit are looked at. Default 25 ms. */
  pollMs?: number;
  /** Largest read of an output file at once. Default 256 KiB. */
  chunkBytes?: number;
}

/**
 * The process runtime that survives its agent (ARCHITECTURE decision 5). A task runs as
 * `/bin/sh -c <command>` under a tiny shell supervisor (`task-supervisor.ts`) in a process group of
 * its own; its stdout and stderr go to files and its exit status to a file, all in the attempt's run
 * dir. The agent follows the files (`output-journal.ts`), so a restarted agent re-adopts the task:
 * it replays the output from the first line, keeps following, and reports the real exit — also of a
 * task that ended while no agent ran. Like a container, the task ends when its main process does.
 * Launching without `spec.identity` is refused: the identity names the run dir.
 */
export function supervisedProcessRuntime(options: SupervisedProcessRuntimeOptions): TaskRuntime {
  const o = { pollMs: 25, chunkBytes: 256 * 1024, ...options };
  return {
    async launch(spec, onLine) {
      if (!spec.identity) throw new LaunchError('a supervised task needs its identity');
      const cwd = await stat(spec.cwd).catch(() => undefined);
      if (!cwd?.isDirectory()) throw new LaunchError(`working directory ${spec.cwd} does not exist`);
      const files = runFiles(o.stateDir, spec.identity);
      await clearEarlierRun(files);
      // Private to the task's user: another task must not read this one's output.
      await mkdirMode(files.dir, WORK_DIR_MODES.private);
      // The supervisor and the task's first shell write `exit` and `pid` as the task's user.
      if (spec.uid !== undefined) await chown(files.dir, spec.uid, spec.gid ?? spec.uid);
      const out = await open(files.stdout, 'a');
      const err = await open(files.stderr, 'a');
      let child: ChildProcess;
      try {
        child = spawn('/bin/sh', ['-c', SUPERVISOR_SCRIPT, 'ty-supervisor', files.dir, noteNormalExit(spec.command)], {
          cwd: spec.cwd,
          env: spec.env,
          uid: spec.uid,
          gid: spec.gid ?? spec.uid,
          detached: true, // setsid: its own session and process group, untouched by the agent's end
          stdio: ['ignore', out.fd, 'ignore', err.fd], // see SUPERVISOR_SCRIPT
        });
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', resolve);
          child.once('error', (cause) => reject(new LaunchError(`cannot start /bin/sh: ${cause.message}`, { cause })));
        });
      } catch (cause) {
        await rm(files.dir, { recursive: true, force: true });
        throw cause instanceof LaunchError ? cause : new LaunchError(`cannot start /bin/sh: ${(cause as Error).message}`, { cause });
      } finally {
        await out.close();
        await err.close();
      }
      child.unref();
      const pid = child.pid!;
      const ticks = await processStartTicks(pid);
      await writeSmallFile(files.supervisor, `${pid} ${ticks ?? ''}\n`);
      // Resolve once the command runs (its pid is known), so a stop right away can reach it.
      for (let i = 0; i < 200 && (await readNumberFile(files.pid)) === undefined && (await readNumberFile(files.exit)) === undefined; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      return new SupervisedTask(files, pid, ticks, onLine, o.pollMs, o.chunkBytes);
    },

    async adopt(identity: TaskIdentity, onLine: LineSink) {
      const files = runFiles(o.stateDir, identity);
      let text = await readFile(files.supervisor, 'utf8').catch(() => undefined);
      if (text === undefined) {
        // The agent died between spawning the supervisor and noting it: find it by its run dir.
        const pid = await supervisorOf(files.dir);
        const ticks = pid !== undefined ? await processStartTicks(pid) : undefined;
        if (pid === undefined || ticks === undefined) {
          // …and the task then ran to its end before an agent came back: its status is written, so its
          // real exit and output are there to report — not a loss. No process is left to signal: the
          // start ticks given never match one (`ENDED`), so a reused pid is never touched.
          if ((await readNumberFile(files.exit)) === undefined) return undefined;
          return new SupervisedTask(files, (await readNumberFile(files.pid)) ?? 0, ENDED, onLine, o.pollMs, o.chunkBytes);
        }
        text = `${pid} ${ticks}\n`;
        await writeSmallFile(files.supervisor, text);
      }
      const [pid, ticks] = text.trim().split(' ');
      return new SupervisedTask(files, Number(pid), ticks || undefined, onLine, o.pollMs, o.chunkBytes);
    },

    async everStarted(identity: TaskIdentity) {
      const files = runFiles(o.stateDir, identity);
      // The task's shell writes `pid` before it runs the command, the supervisor `exit` after it.
      if ((await readFile(files.pid, 'utf8').catch(() => undefined)) !== undefined) return true;
      if ((await readFile(files.exit, 'utf8').catch(() => undefined)) !== undefined) return true;
      return (await supervisorOf(files.dir)) !== undefined;
    },
  };
}

/**
 * The pid of a live supervisor (or task shell) of this run dir, from /proc: its argv names the dir
 * (`/bin/sh -c <SUPERVISOR> ty-supervisor <dir> …`). Undefined when none runs.
 */
async function supervisorOf(dir: string): Promise<number | undefined> {
  const pids = await readdir('/proc').catch(() => [] as string[]);
  for (const name of pids) {
    if (!/^\d+$/.test(name)) continue;
    const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (argv[3] === 'ty-supervisor' && argv[4] === dir && (await processStartTicks(Number(name))) !== undefined) return Number(name);
  }
  return undefined;
}

/**
 * The same attempt runs again (a restart in place): what an earlier, ended process left in the run dir
 * must not pass for this one's output or exit. A supervisor still alive there is refused.
 */
async function clearEarlierRun(files: RunFiles): Promise<void> {
  const text = await readFile(files.supervisor, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const [pid, ticks] = text.trim().split(' ');
  const now = await processStartTicks(Number(pid));
  if (now !== undefined && (!ticks || now === ticks)) throw new LaunchError(`the attempt already runs under supervisor ${pid}: launched before`);
  await rm(files.dir, { recursive: true, force: true });
}

/** Start ticks no process has: a handle of a task that already ended signals nothing. */
const ENDED = 'ended';

class SupervisedTask implements TaskHandle {
  readonly exited: Promise<TaskExit>;
  stopRequested = false;
  private killTimer?: NodeJS.Timeout;
  private status?: TaskExit;
  private detached = false;

  constructor(
    private readonly files: RunFiles,
    readonly pid: number,
    /** Start ticks of the supervisor: signals go only to that very process group, never to a reused pid. */
    private readonly ticks: string | undefined,
    onLine: LineSink,
    pollMs: number,
    chunkBytes: number,
  ) {
    const output = pumpLines(
      tailFrames({ files: { stdout: files.stdout, stderr: files.stderr }, journal: files.journal, chunkBytes, pollMs, finished: () => this.ended(), cancelled: () => this.detached }),
      onLine,
    );
    this.exited = output.then(() => {
      clearTimeout(this.killTimer);
      return this.detached ? new Promise<never>(() => undefined) : this.status!;
    });
  }

  /** Whether the task is over: its status is written, or its supervisor died without writing one. */
  private async ended(): Promise<boolean> {
    if (this.status) return true;
    const code = await readNumberFile(this.files.exit);
    if (code !== undefined) {
      this.status = await this.exitOf(code);
      return true;
    }
    if (await this.supervisorAlive()) return false;
    // Gone without a status (killed with its group, or the node rebooted): look once more, then give up.
    const late = await readNumberFile(this.files.exit);
    this.status = late !== undefined ? await this.exitOf(late) : { exitCode: null, signal: null };
    return true;
  }

  /** 128 + n is a death by signal n, unless the shell noted that it exited by itself with it. */
  private async exitOf(status: number): Promise<TaskExit> {
    if (status > 128 && (await readNumberFile(this.files.exited)) === status) return { exitCode: status, signal: null };
    return exitFromStatus(status);
  }

  private async supervisorAlive(): Promise<boolean> {
    const now = await processStartTicks(this.pid);
    return now !== undefined && (this.ticks === undefined || now === this.ticks);
  }

  stop(graceMs: number): Promise<TaskExit> {
    if (!this.stopRequested && !this.status) {
      this.stopRequested = true;
      void this.signal(-this.pid, 'SIGTERM');
      this.killTimer = setTimeout(() => void this.killMain(), graceMs);
    }
    this.stopRequested = true;
    return this.exited;
  }

  stopNow(): void {
    if (!this.stopRequested || this.status) return;
    clearTimeout(this.killTimer);
    void this.killMain();
  }

  async release(): Promise<void> {
    await rm(this.files.dir, { recursive: true, force: true });
  }

  detach(): void {
    this.detached = true;
    clearTimeout(this.killTimer);
  }

  /** SIGKILL to the main process only: the supervisor records its status and then ends the rest. */
  private async killMain(): Promise<void> {
    const main = await readNumberFile(this.files.pid);
    await this.signal(main !== undefined ? main : -this.pid, 'SIGKILL');
  }

  private async signal(target: number, signal: NodeJS.Signals): Promise<void> {
    if (this.status || !(await this.supervisorAlive())) return;
    try {
      process.kill(target, signal);
    } catch {
      // ESRCH: already gone.
    }
  }
}
