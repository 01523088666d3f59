import type { TaskAssignment } from '@trainyard/contracts';
import { anAssignment } from '../assignment.fixture';
import { buildTaskEnvironment } from '../task-environment';
import { taskPaths } from '../task-paths';
import type { LaunchContext } from './launch-plan';

/** The home of `aLaunchContext`'s task: /w/jobs/<job>/worker-<index>/1. */
export const WORK_DIR = '/w';

/**
 * A preset-framework task (code dir /srv/code/ddp, boot file train.py) on host `hosts[index]`, with
 * the environment the agent would give it plus `env`; override what a test is about.
 */
export function aLaunchContext(overrides: Partial<TaskAssignment> = {}, env: Record<string, string> = {}): LaunchContext {
  const assignment = anAssignment({
    jobId: 'j1',
    jobName: 'trainjob',
    algorithm: { engine: { name: 'PyTorch', version: '1.13' }, codeDir: '/srv/code/ddp', bootFile: 'train.py', launchMethod: 'custom' },
    ...overrides,
  });
  const host = assignment.hosts[assignment.index] ?? '127.0.0.1';
  const paths = taskPaths(WORK_DIR, assignment);
  return { assignment, host, paths, env: { ...buildTaskEnvironment(assignment, { host, paths }), PATH: '/usr/bin:/bin', ...env } };
}

/** Same algorithm as `aLaunchContext`, with a launch method and extra algorithm fields. */
export const withMethod = (method: NonNullable<TaskAssignment['algorithm']['launchMethod']>, extra: Partial<TaskAssignment['algorithm']> = {}) => ({
  engine: { name: 'PyTorch', version: '1.13' },
  codeDir: '/srv/code/ddp',
  bootFile: 'train.py',
  launchMethod: method,
  ...extra,
});
