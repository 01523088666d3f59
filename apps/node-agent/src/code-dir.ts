import { chown, lstat, mkdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import type { Algorithm } from '@trainyard/contracts';
import { SpecError } from './spec-error';
import { codeDirName, type TaskPaths } from './task-paths';
import { LaunchError } from './task-runtime';
import { makeTaskHome } from './work-dir-access';

/** The job's code is not on this node as its spec says (`algorithm.codeDir` / `algorithm.bootFile`): a user error. */
export class CodeDirError extends SpecError {
  override readonly name = 'CodeDirError';
}

/**
 * Creates the task's directories (home, `MA_JOB_DIR`, `MA_LOG_DIR`) and makes `codeDir` reachable at
 * `${MA_JOB_DIR}/<last segment of codeDir>` (L1471-1476). In this self-hosted world the code is a local
 * or shared directory, so "download" is a symlink: nothing is copied and edits show up on the next run.
 * `owner`: the uid the task runs as, given the directories so it can write where the guide lets it;
 * the home is private to it (0700), so no other task reads it.
 * Returns the path the code is reachable at, if there is a code dir. Safe to run twice.
 */
export async function prepareTaskDirs(paths: TaskPaths, codeDir?: string, owner?: number): Promise<string | undefined> {
  await makeTaskHome(paths.home, owner);
  await mkdir(paths.jobDir, { recursive: true });
  await mkdir(paths.logDir, { recursive: true });
  if (owner !== undefined) {
    for (const dir of [paths.mountPath, paths.jobDir, paths.logDir]) await chown(dir, owner, owner);
  }
  return codeDir ? linkCodeDir(codeDir, paths.jobDir) : undefined;
}

export async function linkCodeDir(codeDir: string, jobDir: string): Promise<string> {
  const source = await codeDirSource(codeDir);
  const target = posix.join(jobDir, codeDirName(source)!);
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink() && (await readlink(target)) === source) return target;
  // Replace only what an earlier run of this step left; anything else at the target is not the job's doing.
  if (existing?.isSymbolicLink()) await rm(target);
  else if (existing) throw new LaunchError(`${target} already exists and is not a code link`);
  await symlink(source, target, 'dir');
  return target;
}

/**
 * The code dir on this node, checked: a local or shared directory (`file://` or a path) with a last
 * segment to name it by. Throws `CodeDirError` (field `algorithm.codeDir`) otherwise.
 */
async function codeDirSource(codeDir: string): Promise<string> {
  const field = 'algorithm.codeDir';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(codeDir) && !codeDir.startsWith('file://')) {
    throw new CodeDirError(field, 'invalid', `code dir ${codeDir}: only local or shared directories are supported`);
  }
  const source = resolve(codeDir.replace(/^file:\/\//, ''));
  if (!codeDirName(source)) throw new CodeDirError(field, 'invalid', `code dir ${codeDir} has no last path segment to name it by`);
  const stats = await stat(source).catch((err: NodeJS.ErrnoException) => err);
  if (stats instanceof Error) {
    throw new CodeDirError(field, stats.code === 'ENOENT' ? 'not-found' : 'invalid', `code dir ${codeDir} is not a directory on this node (${stats.code ?? stats.message})`);
  }
  if (!stats.isDirectory()) throw new CodeDirError(field, 'not-a-directory', `code dir ${codeDir} is not a directory on this node`);
  return source;
}

/**
 * Before anything is launched: the code dir exists on this node, and the boot file (when the
 * algorithm runs one) is a file inside it. The launch would otherwise fail later and less clearly
 * (a container engine refusing a missing bind source, `python: can't open file`). Throws `CodeDirError`.
 *
 * @example
 * await checkCode({ codeDir: '/srv/code/ddp', bootFile: 'train.py' }) // throws CodeDirError('algorithm.bootFile', 'not-found', …) when train.py is missing
 */
export async function checkCode(algorithm: Pick<Algorithm, 'codeDir' | 'bootFile'>): Promise<void> {
  const { codeDir, bootFile } = algorithm;
  if (!codeDir) return;
  const source = await codeDirSource(codeDir);
  if (!bootFile) return;
  const relative = posix.isAbsolute(bootFile) ? posix.relative(source, bootFile) : posix.normalize(bootFile);
  if (relative === '..' || relative.startsWith('../') || posix.isAbsolute(relative)) {
    throw new CodeDirError('algorithm.bootFile', 'outside-code-dir', `boot file ${bootFile} is not inside code dir ${codeDir}`);
  }
  const file = await stat(posix.join(source, relative)).catch(() => undefined);
  if (!file) throw new CodeDirError('algorithm.bootFile', 'not-found', `boot file ${bootFile} is not in code dir ${codeDir} on this node`);
  if (file.isDirectory()) throw new CodeDirError('algorithm.bootFile', 'not-found', `boot file ${bootFile} in code dir ${codeDir} is a directory`);
}

/** The working dir must be there before the task starts in it (`algorithm.workingDir`, else `MA_JOB_DIR`). */
export async function checkWorkingDir(dir: string, field = 'algorithm.workingDir'): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) throw new SpecError(field, 'not-found', `working directory ${dir} does not exist on this node`);
}
