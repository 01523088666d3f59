import { chown, mkdir } from 'node:fs/promises';
import type { TaskAssignment } from '@trainyard/contracts';
import { CONTAINER_DEFAULT_UID, CONTAINER_PATHS, containerLayout } from './container-task-spec';
import { planLaunch, writeLaunchFiles } from './launchers';
import { deviceEnvironment, taskDevices } from './task-devices';
import { buildTaskEnvironment } from './task-environment';
import { taskPaths, workingDirOf } from './task-paths';
import { checkCode } from './code-dir';
import { SpecError } from './spec-error';
import { LaunchError, type TaskSpec } from './task-runtime';
import { makeTaskHome } from './work-dir-access';

/**
 * Prepares a container task on this node and returns its spec: the environment and the launch plan
 * are built for the guide's container paths (`MA_HOME=/home/ma-user`…), the host dirs behind the
 * mounts are created (owned by the task's user when the agent may chown), the plan's files are
 * written where the mounts show them. Nothing of the agent's own environment is passed in: the
 * image's `ENV` (its `PATH`…) applies beneath the task's.
 */
export async function prepareContainerTask(
  a: TaskAssignment,
  node: { nodeId: string; host: string; workDir: string; cacheDir: string },
  /** The object-store variables of its staging (Table 14-19). */
  storeEnv: Record<string, string> = {},
): Promise<TaskSpec> {
  const image = a.algorithm.image;
  if (!image) throw new SpecError('algorithm.image', 'invalid', 'the container runtime needs algorithm.image');
  await checkCode(a.algorithm);
  const host = taskPaths(node.workDir, a);
  const devices = taskDevices(a);
  const env = { ...buildTaskEnvironment(a, { host: node.host, paths: CONTAINER_PATHS }), ...storeEnv, ...deviceEnvironment(devices, 'container') };
  const plan = planLaunch({ assignment: a, host: node.host, paths: CONTAINER_PATHS, env });
  const uid = a.algorithm.userId ?? CONTAINER_DEFAULT_UID;
  let layout;
  try {
    layout = containerLayout(a, host, node.cacheDir, plan.files);
  } catch (err) {
    throw new LaunchError((err as Error).message, { cause: err });
  }
  const owner = process.getuid?.() === 0 ? uid : undefined;
  await makeTaskHome(host.home, owner);
  for (const dir of [host.mountPath, ...layout.dirs]) {
    await mkdir(dir, { recursive: true });
    if (owner !== undefined) await chown(dir, owner, owner);
  }
  await writeLaunchFiles(layout.files, owner);
  return {
    command: plan.command,
    cwd: workingDirOf(a.algorithm, CONTAINER_PATHS),
    env: { ...env, ...plan.env },
    uid,
    gid: uid,
    identity: { nodeId: node.nodeId, jobId: a.jobId, task: a.task, attempt: a.attempt },
    container: { image, mounts: layout.mounts, ...(devices ? { devices } : {}) },
  };
}
