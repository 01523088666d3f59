import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskIdentity } from './task-runtime';

/**
 * The tiny supervisor a supervised process task runs under, as `/bin/sh -c SUPERVISOR ty-supervisor
 * <run dir> <command>` in a process group of its own (the agent spawns it detached, stdout on the
 * task's stdout file, stderr on /dev/null, the task's stderr file as fd 3). It outlives the
 * agent: its stdout and stderr are files in the run dir, not pipes to the agent, and it writes the
 * command's exit status to `<run dir>/exit` when the command ends, so a restarted agent still learns
 * it. Builtins only (`echo`, `kill`, `trap`), so any `PATH` works.
 *
 * - The command runs in a child shell that first writes its pid to `<run dir>/pid`, then `exec`s
 *   `/bin/sh -c <command>`: the agent can SIGKILL exactly the main process after the grace period.
 * - A stop's SIGTERM goes to the whole group; the supervisor traps it (a handler, which `exec` resets
 *   to the default in the command) and so survives to record the status.
 * - Once the command has ended and its status is written, `kill -9 0` ends whatever the command left
 *   in the group, the supervisor with it: like a container, the task ends with its main process.
 */
export const SUPERVISOR_SCRIPT = [
  "trap 'true' TERM INT",
  // The supervisor's stderr is /dev/null and the task's stderr file is fd 3: the command moves it to
  // fd 2 itself, so what the supervisor prints ("Terminated" when the command dies by a signal, which
  // dash writes while a redirection of the command would still be in force) stays out of the task's log.
  `/bin/sh -c 'exec 2>&3 3>&-; echo $$ >"$1/pid"; exec /bin/sh -c "$2" "$1/exited"' ty-task "$1" "$2" </dev/null`,
  'status=$?',
  'echo "$status" >"$1/exit"',
  'kill -9 0 2>/dev/null',
].join('\n');

/**
 * The command as the task's shell runs it: first an EXIT trap that writes the status to `$0` (the
 * run dir's `exited`, passed as the shell's name). A shell killed by a signal runs no trap, so a status
 * above 128 with the note is a plain `exit 143` (a TERM handler's), without it a death by signal.
 * A script that sets its own EXIT trap replaces the note (its 128+n statuses then read as signals).
 */
export const noteNormalExit = (command: string) => `trap 'echo $? >"$0"' EXIT\n${command}`;

/** The files of one supervised attempt. */
export interface RunFiles {
  dir: string;
  stdout: string;
  stderr: string;
  /** Pid of the command's main process (written by the task itself). */
  pid: string;
  /** The command's exit status, written by the supervisor when it ends. */
  exit: string;
  /** Written by the command's shell when it exits by itself (not by a signal): see `noteNormalExit`. */
  exited: string;
  /** `<pid> <start ticks>` of the supervisor, written by the agent: a reused pid is not ours. */
  supervisor: string;
  /** The order the agent read the two output files in (see `output-journal.ts`). */
  journal: string;
}

/** `<stateDir>/<job>.<task>.<attempt>.run/` (ids are subject tokens, so `.` separates them). */
export function runFiles(stateDir: string, id: TaskIdentity): RunFiles {
  const dir = join(stateDir, `${id.jobId}.${id.task}.${id.attempt}.run`);
  const at = (name: string) => join(dir, name);
  return { dir, stdout: at('stdout'), stderr: at('stderr'), pid: at('pid'), exit: at('exit'), exited: at('exited'), supervisor: at('supervisor'), journal: at('journal') };
}

/** A whole number followed by a newline, or undefined (absent, or caught half-written). */
export async function readNumberFile(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const m = /^(-?\d+)\n/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Writes `text` in one `write`, so a reader sees all of it or (with the trailing newline missing) knows it is not there yet. */
export async function writeSmallFile(file: string, text: string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.write(text);
  } finally {
    await fh.close();
  }
}
