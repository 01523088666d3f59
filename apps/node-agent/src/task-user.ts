import { SpecError } from './spec-error';

/** The guide's run-as user when a job names none (L1502-1509, ch04-06 "运行用户ID"). */
export const GUIDE_DEFAULT_UID = 1000;

/** The guide's user (`/home/ma-user`): `USER` and `LOGNAME` of a task that runs as another user than the agent. */
export const GUIDE_USER_NAME = 'ma-user';

/** Below this, a uid is the dedicated pools' alone: a shared (public) pool runs 1000–65535 (L4570-4583). */
export const SHARED_POOL_MIN_UID = 1000;

/**
 * Whose user a process task runs as (`TY_TASK_USER`):
 * - `job` (default): the job's `algorithm.userId`, else 1000; the agent must be root to switch to it.
 * - `agent`: the agent's own user, whatever the job says. A node that opts in gives up the wall
 *   between tasks and the agent's files (its credentials among them); `npm start` as a user that
 *   is not root chooses it for its own one-person cluster, and says so.
 */
export type TaskUserMode = 'job' | 'agent';

export interface TaskUserSettings {
  mode: TaskUserMode;
  /** `TY_POOL_DEDICATED`: this node's pool is dedicated, so uids 0–999 (0 = root) are allowed. */
  dedicatedPool: boolean;
}

/**
 * The uid and gid a task runs as (the gid is the uid's, as the guide's image rule has it: `/home/ma-user`
 * owned by the uid with group = that uid's gid), or undefined for "as the agent" (`agent` mode).
 * Throws the job's own error (`algorithm.userId`, `access-denied`) for a uid below 1000 on a pool
 * that is not dedicated: uid 0 there would hand the node to the job.
 *
 * @example
 * taskUser(undefined, { mode: 'job', dedicatedPool: false }) // { uid: 1000, gid: 1000 }
 * taskUser(0, { mode: 'job', dedicatedPool: false })         // throws SpecError('algorithm.userId', 'access-denied', …)
 */
export function taskUser(userId: number | undefined, settings: TaskUserSettings, pool = 'this pool'): { uid: number; gid: number } | undefined {
  const uid = containerUser(userId, settings, pool);
  return settings.mode === 'agent' ? undefined : { uid, gid: uid };
}

/**
 * The uid of a container task: the job's, else 1000, under the same pool rule. A container engine
 * switches users itself, so `agent` mode does not apply to containers.
 */
export function containerUser(userId: number | undefined, settings: Pick<TaskUserSettings, 'dedicatedPool'>, pool = 'this pool'): number {
  const uid = userId ?? GUIDE_DEFAULT_UID;
  if (uid < SHARED_POOL_MIN_UID && !settings.dedicatedPool) {
    throw new SpecError(
      'algorithm.userId',
      'access-denied',
      `uid ${uid} is allowed on dedicated pools only (a shared pool runs uids ${SHARED_POOL_MIN_UID}–65535, guide L1502-1509); pool ${pool} is not dedicated on this node (TY_POOL_DEDICATED)`,
    );
  }
  return uid;
}
