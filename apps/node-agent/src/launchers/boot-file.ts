import { posix, resolve } from 'node:path';
import type { Algorithm } from '@trainyard/contracts';
import { BootCommandError, userArguments } from '../boot-command';
import { codeDirName, type TaskPaths } from '../task-paths';
import type { LaunchContext } from './launch-plan';
import { splitWords } from './shell-words';

/**
 * Where the boot file of a preset framework is (`algorithm.bootFile`, relative to the code dir or
 * absolute inside it, V4): by default at `${MA_JOB_DIR}/<code dir name>/…`, the task's own copy
 * (L821-823). `shared` names the code dir's own path instead, for processes started on other hosts
 * (mpirun), which have no such task home: the code dir is a shared path in a self-hosted cluster.
 */
export function bootFilePath(algorithm: Algorithm, paths: TaskPaths, opts: { shared?: boolean } = {}): string {
  const { bootFile, codeDir } = algorithm;
  if (!bootFile) throw new BootCommandError('algorithm.bootFile', 'invalid', 'this launch method runs a boot file: algorithm.bootFile (with engine and codeDir) is required');
  if (!codeDir) return posix.resolve(paths.jobDir, bootFile);
  const source = resolve(codeDir.replace(/^file:\/\//, ''));
  const relative = posix.isAbsolute(bootFile) ? posix.relative(source, bootFile) : posix.normalize(bootFile);
  if (relative === '..' || relative.startsWith('../') || posix.isAbsolute(relative)) throw new BootCommandError('algorithm.bootFile', 'outside-code-dir', `boot file ${bootFile} is not inside code dir ${codeDir}`);
  if (opts.shared) return posix.join(source, relative);
  const name = codeDirName(source);
  if (!name) throw new BootCommandError('algorithm.codeDir', 'invalid', `code dir ${codeDir} has no last path segment to name it by`);
  return posix.join(paths.jobDir, name, relative);
}

/**
 * What runs the boot file: `MA_SCRIPT_INTERPRETER` (Table 14-16, L12087-12092) split at blanks, or
 * `python` as on the vendor's preset images (L2782-2785).
 */
export function scriptInterpreter(env: Readonly<Record<string, string>>): string[] {
  const words = splitWords(env.MA_SCRIPT_INTERPRETER);
  return words.length > 0 ? words : ['python'];
}

/**
 * `<interpreter> <boot file> [platform arguments] <user arguments>`: the user's hyperparameters and
 * parameter-read inputs/outputs always come last (L2851-2867).
 */
export function bootProgram(ctx: LaunchContext, platformArgs: readonly string[] = [], opts: { shared?: boolean } = {}): string[] {
  const { algorithm } = ctx.assignment;
  return [...scriptInterpreter(ctx.env), bootFilePath(algorithm, ctx.paths, opts), ...platformArgs, ...userArguments(algorithm)];
}
