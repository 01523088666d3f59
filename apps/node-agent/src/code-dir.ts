import { chown, lstat, mkdir, readlink, rm, stat, symlink } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { codeDirName, type TaskPaths } from './task-paths';

/** The code could not be made available; the task fails to launch with this message. */
export class CodeDirError extends Error {
  override readonly name = 'CodeDirError';
}

/**
 * Creates the task's directories (home, `MA_JOB_DIR`, `MA_LOG_DIR`) and makes `codeDir` reachable at
 * `${MA_JOB_DIR}/<last segment of codeDir>` (L1471-1476). In this self-hosted world the code is a local
 * or shared directory, so "download" is a symlink: nothing is copied and edits show up on the next run.
 * `owner`: the uid the task runs as, given the directories so it can write where the guide lets it.
 * Returns the path the code is reachable at, if there is a code dir. Safe to run twice.
 */
export async function prepareTaskDirs(paths: TaskPaths, codeDir?: string, owner?: number): Promise<string | undefined> {
  await mkdir(paths.jobDir, { recursive: true });
  await mkdir(paths.logDir, { recursive: true });
  if (owner !== undefined) {
    for (const dir of [paths.home, paths.mountPath, paths.jobDir, paths.logDir]) await chown(dir, owner, owner);
  }
  return codeDir ? linkCodeDir(codeDir, paths.jobDir) : undefined;
}

export async function linkCodeDir(codeDir: string, jobDir: string): Promise<string> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(codeDir) && !codeDir.startsWith('file://')) {
    throw new CodeDirError(`code dir ${codeDir}: only local or shared directories are supported by the process runtime`);
  }
  const source = resolve(codeDir.replace(/^file:\/\//, ''));
  const name = codeDirName(source);
  if (!name) throw new CodeDirError(`code dir ${codeDir} has no last path segment to name it by`);
  const stats = await stat(source).catch(() => undefined);
  if (!stats?.isDirectory()) throw new CodeDirError(`code dir ${codeDir} is not a directory on this node`);

  const target = posix.join(jobDir, name);
  const existing = await lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink() && (await readlink(target)) === source) return target;
  // Replace only what an earlier run of this step left; anything else at the target is the user's.
  if (existing?.isSymbolicLink()) await rm(target);
  else if (existing) throw new CodeDirError(`${target} already exists and is not a code link`);
  await symlink(source, target, 'dir');
  return target;
}
