import { posix } from 'node:path';
import type { TaskAssignment } from '@trainyard/contracts';
import type { LaunchFile } from './launchers';
import { codeDirName, GUIDE_HOME, type TaskPaths } from './task-paths';
import type { TaskMount } from './task-runtime';

/** The guide's layout inside a container (ch14 §12, Table 14-16): `MA_HOME=/home/ma-user` and below it. */
export const CONTAINER_PATHS: TaskPaths = {
  home: GUIDE_HOME,
  mountPath: `${GUIDE_HOME}/modelarts`,
  jobDir: `${GUIDE_HOME}/modelarts/user-job-dir`,
  logDir: `${GUIDE_HOME}/modelarts/log`,
};

/** Where the guide mounts the node's scratch disk (Table 2-6, L1081-1104). */
export const CONTAINER_CACHE = '/cache';

export interface ContainerLayout {
  mounts: TaskMount[];
  /** Host directories to create (as the task's user) before the container starts: mount points and outputs. */
  dirs: string[];
  /** The launch plan's files at their host paths. */
  files: LaunchFile[];
}

/** The code dir as a host path (`file://` stripped). */
const hostCodeDir = (codeDir: string) => codeDir.replace(/^file:\/\//, '');

/**
 * What a container task mounts, pure. The host task dir `modelarts` becomes `/home/ma-user/modelarts`
 * (the guide's working area, L1081-1104), so `MA_JOB_DIR` and `MA_LOG_DIR` are the guide's paths
 * inside while the image keeps its own `/home/ma-user` (conda, …). The code dir is mounted at
 * `${MA_JOB_DIR}/<last segment>` (what the process runtime links), inputs read-only and outputs
 * read-write at their own paths (the paths the arguments name), the job's cache dir at `/cache`.
 * A launch file under another dir of the home (the rank table) brings that dir as a mount too.
 *
 * @example
 * containerLayout(a, taskPaths('/var/lib/ty', a), '/var/lib/ty/cache', [])
 * // mounts: [{ source: '/var/lib/ty/jobs/j1/worker-0/1/modelarts', target: '/home/ma-user/modelarts' }, …]
 */
export function containerLayout(a: TaskAssignment, host: TaskPaths, cacheDir: string, planFiles: readonly LaunchFile[]): ContainerLayout {
  const mounts: TaskMount[] = [{ source: host.mountPath, target: CONTAINER_PATHS.mountPath }];
  const dirs = [host.jobDir, host.logDir];
  const code = a.algorithm.codeDir ? hostCodeDir(a.algorithm.codeDir) : undefined;
  const name = code ? codeDirName(code) : undefined;
  if (code && name) {
    mounts.push({ source: posix.resolve(code), target: posix.join(CONTAINER_PATHS.jobDir, name) });
    dirs.push(posix.join(host.jobDir, name));
  }
  // A channel staged from an object store (staging/) is already under the modelarts mount.
  const staged = (c: { path: string }) => c.path.startsWith(`${CONTAINER_PATHS.mountPath}/`);
  for (const c of a.algorithm.inputs ?? []) if (!staged(c)) mounts.push({ source: c.path, target: c.path, readOnly: true });
  for (const c of a.algorithm.outputs ?? []) {
    if (staged(c)) continue;
    mounts.push({ source: c.path, target: c.path });
    dirs.push(c.path);
  }
  const cache = posix.join(cacheDir, a.jobId);
  mounts.push({ source: cache, target: CONTAINER_CACHE });
  dirs.push(cache);

  const files: LaunchFile[] = [];
  const extra = new Set<string>();
  for (const f of planFiles) {
    const rel = posix.relative(CONTAINER_PATHS.home, f.path);
    if (rel.startsWith('..') || posix.isAbsolute(rel)) throw new Error(`launch file ${f.path} is outside ${CONTAINER_PATHS.home}`);
    files.push({ ...f, path: posix.join(host.home, rel) });
    const top = rel.split('/')[0];
    if (top !== 'modelarts' && rel.includes('/')) extra.add(top);
  }
  for (const top of extra) {
    mounts.push({ source: posix.join(host.home, top), target: posix.join(CONTAINER_PATHS.home, top) });
    dirs.push(posix.join(host.home, top));
  }
  return { mounts, dirs, files };
}

/** The guide's default run-as user of custom images (L1502-1509). */
export const CONTAINER_DEFAULT_UID = 1000;
