import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgentConfigError } from './agent-config';
import type { TaskUserSettings } from './task-user';

/**
 * Who may enter what under the agent's work dir (issue 11). Tasks run as other users than the agent:
 * each reaches its own home (`jobs/<job>/<task>/<attempt>`, 0700, owned by the task's uid) and its
 * run dir (`launches/<run>.run`, 0700, the task's) by path, and nothing else: the dirs above them can
 * be passed but not listed (0711), the agent's own files are its alone (the log spool 0700, launch
 * records 0600 — they hold other jobs' environments).
 */
export const WORK_DIR_MODES = {
  /** The work dir, `jobs/` and its per-job and per-task dirs, `launches/`. */
  passage: 0o711,
  /** A task's home, a run dir, the agent's log spool. */
  private: 0o700,
  /** A launch record. */
  record: 0o600,
} as const;

/** `mkdir -p` then the mode, whatever the umask or an earlier run left. */
export async function mkdirMode(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
  await chmod(dir, mode);
}

/**
 * Before the agent connects: its work dir laid out with the modes above, and — when tasks run as
 * their jobs' users — the checks that make a misconfigured node fail at start with what to do,
 * instead of every task failing later: the agent must be root to switch users, and a user other
 * than the agent must be able to pass every dir above the work dir to reach its home.
 */
export async function prepareWorkDir(workDir: string, users: TaskUserSettings, agentUid = process.getuid?.() ?? 0): Promise<void> {
  if (users.mode === 'job' && agentUid !== 0) {
    throw new AgentConfigError(
      `the node agent runs each task as its job's user (uid 1000 unless algorithm.userId) and must be root to switch users; it runs as uid ${agentUid}. ` +
        'Run it as root, or set TY_TASK_USER=agent to run every task as the agent\'s own user (tasks can then read the agent\'s files, its credentials among them)',
    );
  }
  await mkdirMode(workDir, WORK_DIR_MODES.passage);
  for (const sub of ['jobs', 'launches']) await mkdirMode(join(workDir, sub), WORK_DIR_MODES.passage);
  if (users.mode === 'job') await checkPassable(workDir);
}

/** The first dir from `dir` up to `/` that other users cannot pass (no o+x), with its mode; none → undefined. */
export async function firstClosedDir(dir: string): Promise<{ dir: string; mode: number } | undefined> {
  for (let d = dir; ; d = dirname(d)) {
    const mode = (await stat(d)).mode & 0o777;
    if ((mode & 0o001) === 0) return { dir: d, mode };
    if (dirname(d) === d) return undefined;
  }
}

/** Every dir from `/` down to `dir` must let others pass (o+x). */
async function checkPassable(dir: string): Promise<void> {
  const closed = await firstClosedDir(dir);
  if (closed) {
    throw new AgentConfigError(
      `tasks run as their jobs' users cannot reach the work dir ${dir}: ${closed.dir} is mode ${closed.mode.toString(8).padStart(4, '0')}, which others cannot pass; ` +
        `chmod o+x ${closed.dir}, or put TY_NODE_WORK_DIR elsewhere`,
    );
  }
}

/** A task's home: the dirs above it passable, itself private to `owner` (the task's uid) when given. */
export async function makeTaskHome(home: string, owner?: number): Promise<void> {
  await mkdirMode(dirname(home), WORK_DIR_MODES.passage);
  await mkdirMode(home, WORK_DIR_MODES.private);
  if (owner !== undefined) await chown(home, owner, owner);
}
