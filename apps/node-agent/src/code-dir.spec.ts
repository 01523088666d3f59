import { mkdir, mkdtemp, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCode, checkWorkingDir, CodeDirError, prepareTaskDirs } from './code-dir';
import { taskPaths } from './task-paths';

let root: string;
beforeEach(async () => {
  root = await realpath(await mkdtemp(join(tmpdir(), 'ty-code-')));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('code dir', () => {
  it('code dir - the code is reachable at ${MA_JOB_DIR}/<last segment> and the log dir exists (L1471-1476)', async () => {
    await mkdir(join(root, 'src/test/code'), { recursive: true });
    await writeFile(join(root, 'src/test/code/train.py'), 'print(1)\n');
    const paths = taskPaths(join(root, 'work'), { jobId: 'j', task: 'worker-0', attempt: 1 });
    const at = await prepareTaskDirs(paths, join(root, 'src/test/code/'));
    expect(at).toBe(join(paths.jobDir, 'code'));
    expect(await readlink(at!)).toBe(join(root, 'src/test/code'));
    expect((await stat(join(at!, 'train.py'))).isFile()).toBe(true);
    expect((await stat(paths.logDir)).isDirectory()).toBe(true);
  });
  it('code dir - preparing twice is harmless; a stale link is replaced', async () => {
    await mkdir(join(root, 'a/code'), { recursive: true });
    await mkdir(join(root, 'b/code'), { recursive: true });
    const paths = taskPaths(join(root, 'work'), { jobId: 'j', task: 'worker-0', attempt: 1 });
    await prepareTaskDirs(paths, join(root, 'a/code'));
    await prepareTaskDirs(paths, join(root, 'a/code'));
    const at = await prepareTaskDirs(paths, join(root, 'b/code'));
    expect(await readlink(at!)).toBe(join(root, 'b/code'));
  });
  it('code dir - no code dir still creates the task directories', async () => {
    const paths = taskPaths(join(root, 'work'), { jobId: 'j', task: 'worker-0', attempt: 1 });
    expect(await prepareTaskDirs(paths)).toBeUndefined();
    expect((await stat(paths.jobDir)).isDirectory()).toBe(true);
  });
  it('code dir - a missing directory or a remote source is a CodeDirError naming algorithm.codeDir; an occupied target is the agent\'s', async () => {
    const paths = taskPaths(join(root, 'work'), { jobId: 'j', task: 'worker-0', attempt: 1 });
    await expect(prepareTaskDirs(paths, join(root, 'nope'))).rejects.toThrow(CodeDirError);
    await expect(prepareTaskDirs(paths, join(root, 'nope'))).rejects.toMatchObject({ field: 'algorithm.codeDir', code: 'not-found' });
    await expect(prepareTaskDirs(paths, '__proto__')).rejects.toMatchObject({ field: 'algorithm.codeDir', code: 'not-found' });
    await expect(prepareTaskDirs(paths, '../../etc/passwd')).rejects.toMatchObject({ field: 'algorithm.codeDir' });
    await expect(prepareTaskDirs(paths, 'obs://bucket/code')).rejects.toThrow(/only local or shared/);
    await mkdir(join(root, 'c/code'), { recursive: true });
    await mkdir(join(paths.jobDir, 'code'), { recursive: true });
    await expect(prepareTaskDirs(paths, join(root, 'c/code'))).rejects.toThrow(/not a code link/);
    await expect(prepareTaskDirs(paths, join(root, 'c/code'))).rejects.not.toThrow(CodeDirError);
  });

  it('checkCode - the boot file must be a file inside the code dir on this node (algorithm.bootFile)', async () => {
    await mkdir(join(root, 'k/code/sub'), { recursive: true });
    await writeFile(join(root, 'k/code/train.py'), 'print(1)\n');
    await expect(checkCode({ codeDir: join(root, 'k/code'), bootFile: 'train.py' })).resolves.toBeUndefined();
    await expect(checkCode({ codeDir: join(root, 'k/code'), bootFile: join(root, 'k/code/train.py') })).resolves.toBeUndefined();
    await expect(checkCode({ codeDir: join(root, 'k/code'), bootFile: 'trian.py' })).rejects.toMatchObject({ field: 'algorithm.bootFile', code: 'not-found' });
    await expect(checkCode({ codeDir: join(root, 'k/code'), bootFile: 'sub' })).rejects.toMatchObject({ field: 'algorithm.bootFile', code: 'not-found' });
    await expect(checkCode({ codeDir: join(root, 'k/code'), bootFile: '../x.py' })).rejects.toMatchObject({ field: 'algorithm.bootFile', code: 'outside-code-dir' });
    await expect(checkCode({ codeDir: join(root, 'k/none'), bootFile: 'train.py' })).rejects.toMatchObject({ field: 'algorithm.codeDir', code: 'not-found' });
    await expect(checkWorkingDir(join(root, 'k/none'))).rejects.toMatchObject({ field: 'algorithm.workingDir', code: 'not-found' });
  });
});
