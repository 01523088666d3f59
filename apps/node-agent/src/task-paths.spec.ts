import { describe, expect, it } from 'vitest';
import { codeDirName, taskPaths, workingDirOf } from './task-paths';

const paths = taskPaths('/w', { jobId: 'j', task: 'worker-0', attempt: 1 });

describe('task paths', () => {
  it('task paths - one home per job, task and attempt, laid out like the guide container (L12029-12085)', () =>
    expect(paths).toEqual({
      home: '/w/jobs/j/worker-0/1',
      mountPath: '/w/jobs/j/worker-0/1/modelarts',
      jobDir: '/w/jobs/j/worker-0/1/modelarts/user-job-dir',
      logDir: '/w/jobs/j/worker-0/1/modelarts/log',
    }));
  it('code dir name - last path segment, e.g. /test/code → code (L1471-1476)', () => {
    expect(codeDirName('/test/code')).toBe('code');
    expect(codeDirName('/test/code/')).toBe('code');
    expect(codeDirName('obs://bucket/demo-code')).toBe('demo-code');
    expect(codeDirName('relative/dir/./')).toBe('dir');
    expect(codeDirName('/')).toBeUndefined();
    expect(codeDirName('/a/..')).toBeUndefined();
  });
  it('working dir - defaults to MA_JOB_DIR', () => expect(workingDirOf({}, paths)).toBe(paths.jobDir));
  it('working dir - a guide path under /home/ma-user is rebased onto MA_HOME', () => {
    expect(workingDirOf({ workingDir: '/home/ma-user/modelarts/user-job-dir/code' }, paths)).toBe(`${paths.jobDir}/code`);
    expect(workingDirOf({ workingDir: '/home/ma-user' }, paths)).toBe(paths.home);
    expect(workingDirOf({ workingDir: '/home/ma-userx' }, paths)).toBe('/home/ma-userx');
  });
  it('working dir - relative is taken from MA_JOB_DIR, absolute is kept', () => {
    expect(workingDirOf({ workingDir: 'code' }, paths)).toBe(`${paths.jobDir}/code`);
    expect(workingDirOf({ workingDir: '/srv/x/' }, paths)).toBe('/srv/x/');
  });
});
