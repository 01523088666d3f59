import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { containerLayout } from './container-task-spec';
import { taskPaths } from './task-paths';

describe('container layout - the guide paths inside, the task dirs outside', () => {
  const a = anAssignment({
    jobId: 'j1',
    algorithm: {
      command: 'python train.py',
      codeDir: '/srv/code/demo/',
      inputs: [{ name: 'data_url', path: '/data/set' }],
      outputs: [{ name: 'train_url', path: '/out/j1' }],
    },
  });
  const host = taskPaths('/var/lib/ty', a);

  it('mounts modelarts, the code dir at MA_JOB_DIR/<name>, inputs read-only, outputs, and the job cache at /cache', () => {
    const l = containerLayout(a, host, '/var/lib/ty/cache', []);
    expect(l.mounts).toEqual([
      { source: '/var/lib/ty/jobs/j1/worker-0/1/modelarts', target: '/home/ma-user/modelarts' },
      { source: '/srv/code/demo', target: '/home/ma-user/modelarts/user-job-dir/demo' },
      { source: '/data/set', target: '/data/set', readOnly: true },
      { source: '/out/j1', target: '/out/j1' },
      { source: '/var/lib/ty/cache/j1', target: '/cache' },
    ]);
    expect(l.dirs).toEqual([host.jobDir, host.logDir, `${host.jobDir}/demo`, '/out/j1', '/var/lib/ty/cache/j1']);
  });

  it('writes launch files at their host paths and mounts the home dirs they live in', () => {
    const l = containerLayout(a, host, '/c', [
      { path: '/home/ma-user/rank_table/jobstart_hccl.json', content: '{}' },
      { path: '/home/ma-user/modelarts/user-job-dir/hostfile', content: 'h' },
    ]);
    expect(l.files.map((f) => f.path)).toEqual([`${host.home}/rank_table/jobstart_hccl.json`, `${host.jobDir}/hostfile`]);
    expect(l.mounts).toContainEqual({ source: `${host.home}/rank_table`, target: '/home/ma-user/rank_table' });
    expect(() => containerLayout(a, host, '/c', [{ path: '/etc/x', content: '' }])).toThrow(/outside \/home\/ma-user/);
  });
});
