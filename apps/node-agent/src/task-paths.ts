import { posix } from 'node:path';
import type { Algorithm, DataChannel } from '@trainyard/contracts';

/**
 * Where one task attempt lives on its node. The layout mirrors the guide's container
 * (`MA_HOME=/home/ma-user`, `MA_MOUNT_PATH=${MA_HOME}/modelarts`, `MA_JOB_DIR=${MA_MOUNT_PATH}/user-job-dir`,
 * `MA_LOG_DIR=${MA_MOUNT_PATH}/log`, ch14 §12 Table 14-16) under the agent's work dir, so scripts that
 * navigate relative to these variables behave as they do on the vendor's platform.
 *
 * @example
 * taskPaths('/var/lib/ty/n1', { jobId: 'j1', task: 'worker-0', attempt: 2 }).jobDir
 * // '/var/lib/ty/n1/jobs/j1/worker-0/2/modelarts/user-job-dir'
 */
export interface TaskPaths {
  /** `MA_HOME` */
  home: string;
  /** `MA_MOUNT_PATH` */
  mountPath: string;
  /** `MA_JOB_DIR`: the code appears at `${jobDir}/<last segment of codeDir>`. */
  jobDir: string;
  /** `MA_LOG_DIR` */
  logDir: string;
}

/** The guide's home directory; paths under it in a spec are rebased onto the task's home. */
export const GUIDE_HOME = '/home/ma-user';

/**
 * One directory per attempt: a re-dispatched attempt may start on this node while the previous one is
 * still being stopped, and the two must not share a code link or scratch files.
 */
export function taskPaths(workDir: string, t: { jobId: string; task: string; attempt: number }): TaskPaths {
  const home = posix.join(workDir, 'jobs', t.jobId, t.task, String(t.attempt));
  const mountPath = posix.join(home, 'modelarts');
  return { home, mountPath, jobDir: posix.join(mountPath, 'user-job-dir'), logDir: posix.join(mountPath, 'log') };
}

/** Last path segment of a code dir (`/test/code/` → `code`, L1471-1476); undefined when there is none. */
export function codeDirName(codeDir: string): string | undefined {
  const segments = codeDir.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '/').split('/').filter((s) => s !== '' && s !== '.');
  const last = segments.at(-1);
  return last === undefined || last === '..' ? undefined : last;
}

/**
 * The directory the command starts in: `algorithm.workingDir` or `MA_JOB_DIR`. A working dir under the
 * guide's `/home/ma-user` is rebased onto the task's home and a relative one is taken from `MA_JOB_DIR`,
 * so a spec written for the vendor's container runs unchanged on a host.
 */
export function workingDirOf(algorithm: Algorithm, paths: TaskPaths): string {
  const dir = algorithm.workingDir;
  if (!dir) return paths.jobDir;
  if (dir === GUIDE_HOME || dir.startsWith(`${GUIDE_HOME}/`)) return posix.join(paths.home, dir.slice(GUIDE_HOME.length));
  return posix.isAbsolute(dir) ? posix.normalize(dir) : posix.join(paths.jobDir, dir);
}

/**
 * The path a script sees for an input or output. In the process runtime data is used in place (it is a
 * local or shared path already), so this is the channel's own path; the container runtime will map it
 * to a mount point.
 */
export function channelPath(channel: DataChannel): string {
  return channel.path;
}
