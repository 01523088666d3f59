import type { Algorithm, LauncherReport, TaskUserError } from '@trainyard/contracts';
import { launcherReport, type LauncherName } from './launchers';
import type { TaskExit } from './task-runtime';

/** What the agent adds to a failed exit's report from the task's last output lines. */
export interface ExitExplanation {
  launcher?: LauncherReport;
  userError?: TaskUserError;
}

/**
 * The shell's own words for a command it could not run: dash names itself by `$0` and the line
 * (`/…/run/exited: 2: trian.sh: not found` under the supervisor, `sh: 1: x: not found`), bash by its
 * name (`bash: x: command not found`, `bash: line 1: x: …`).
 */
const NOT_FOUND = /^\S+: (?:line )?(?:\d+: )?(.+?): (?:command )?not found$/;
const NOT_EXECUTABLE = /^\S+: (?:line )?(?:\d+: )?(.+?): (?:Permission denied|cannot execute.*)$/;
/**
 * Status 127 is "not found" whatever dash says: searching a `PATH` with a dir the task's user may
 * not enter (the agent's `/root/...`, inherited), it reports that dir's "Permission denied" instead.
 */
const NOT_FOUND_127 = new RegExp(`${NOT_FOUND.source}|${NOT_EXECUTABLE.source}`);

/**
 * Explains a failed exit from the task's last output lines (issue 9):
 * - the launcher's own report (torchrun's failure summary, mpirun's notice), so a rank killed by a
 *   signal is told apart from a script that raised;
 * - status 127/126 with the shell saying the command is not found / not executable: a user error
 *   naming the field that chose the command (`algorithm.command` for a custom command; for a preset
 *   framework the interpreter, `algorithm.environments.MA_SCRIPT_INTERPRETER` when set, else the
 *   engine the node was expected to provide).
 * A successful exit, or one the lines do not explain, gives nothing.
 *
 * @example
 * ```ts
 * explainExit('command', { command: 'trian.sh' }, { exitCode: 127, signal: null }, ['sh: 1: trian.sh: not found'])
 * // { userError: { field: 'algorithm.command', code: 'command-not-found', message: 'sh: 1: trian.sh: not found (exit 127)' } }
 * ```
 */
export function explainExit(launcher: LauncherName, algorithm: Algorithm, exit: TaskExit, lines: readonly string[]): ExitExplanation {
  if (exit.exitCode === 0) return {};
  const report = exit.exitCode !== null ? launcherReport(launcher, lines) : undefined;
  if (report) return { launcher: report };
  if (exit.exitCode !== 126 && exit.exitCode !== 127) return {};
  const pattern = exit.exitCode === 127 ? NOT_FOUND_127 : NOT_EXECUTABLE;
  const said = [...lines].reverse().find((l) => pattern.test(l.trim()));
  if (!said) return {};
  const field =
    launcher === 'command'
      ? 'algorithm.command'
      : algorithm.environments?.MA_SCRIPT_INTERPRETER?.trim()
        ? 'algorithm.environments.MA_SCRIPT_INTERPRETER'
        : 'algorithm.engine';
  return { userError: { field, code: exit.exitCode === 127 ? 'command-not-found' : 'not-executable', message: `${said.trim()} (exit ${exit.exitCode})` } };
}
