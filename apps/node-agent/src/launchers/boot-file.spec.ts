import { describe, expect, it } from 'vitest';
import { taskPaths } from '../task-paths';
import { bootFilePath, scriptInterpreter } from './boot-file';

const paths = taskPaths('/w', { jobId: 'j', task: 'worker-0', attempt: 1 });
const jobDir = '/w/jobs/j/worker-0/1/modelarts/user-job-dir';

describe('boot file', () => {
  it('boot file - relative to the code dir, reached at ${MA_JOB_DIR}/<code dir name> (L821-823)', () => {
    expect(bootFilePath({ codeDir: '/srv/demo-code/', bootFile: 'train.py' }, paths)).toBe(`${jobDir}/demo-code/train.py`);
    expect(bootFilePath({ codeDir: '/srv/demo-code', bootFile: './a/../b/train.py' }, paths)).toBe(`${jobDir}/demo-code/b/train.py`);
  });
  it('boot file - absolute inside the code dir (V4)', () =>
    expect(bootFilePath({ codeDir: '/srv/demo-code', bootFile: '/srv/demo-code/x/train.py' }, paths)).toBe(`${jobDir}/demo-code/x/train.py`));
  it('boot file - shared: the code dir\'s own path, for processes on other hosts', () =>
    expect(bootFilePath({ codeDir: '/srv/demo-code', bootFile: 'train.py' }, paths, { shared: true })).toBe('/srv/demo-code/train.py'));
  it('boot file - outside the code dir, or missing, is refused', () => {
    expect(() => bootFilePath({ codeDir: '/srv/c', bootFile: '../x.py' }, paths)).toThrow(/not inside code dir/);
    expect(() => bootFilePath({ codeDir: '/srv/c', bootFile: '/etc/x.py' }, paths)).toThrow(/not inside code dir/);
    expect(() => bootFilePath({ command: 'x' }, paths)).toThrow(/bootFile/);
  });
  it('interpreter - MA_SCRIPT_INTERPRETER split at blanks, else python (L12087-12092, L2782-2785)', () => {
    expect(scriptInterpreter({})).toEqual(['python']);
    expect(scriptInterpreter({ MA_SCRIPT_INTERPRETER: ' /usr/bin/python3  -u ' })).toEqual(['/usr/bin/python3', '-u']);
  });
});
