import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseObjectUrl } from '@trainyard/contracts';
import { CONTAINER_PATHS } from '../container-task-spec';
import { taskPaths } from '../task-paths';
import { planStaging } from './staging-plan';
import { CODE_LIMITS, exceededLimit, INPUT_LIMITS, OUTPUT_LIMITS } from './staging-limits';
import { GUIDE_RETRY, isRetryable, waitBefore, withRetry } from './retry-policy';

const host = taskPaths('/var/lib/ty/n1', { jobId: 'j1', task: 'worker-0', attempt: 2 });
const algorithm = {
  command: 'python ${MA_JOB_DIR}/demo/train.py',
  codeDir: 's3://jobs/code/demo/',
  inputs: [{ name: 'data_url', path: 's3://datasets/mnist' }, { name: 'extra', path: '/mnt/shared/extra', accessMethod: 'env' as const }],
  outputs: [{ name: 'train_url', path: 's3://ckpt/run-1/', preDownload: true }],
};

describe('staging plan - where object-store data lives for the task (issue 14)', () => {
  it('container: inputs at /home/ma-user/modelarts/inputs/<name>_<i>, outputs at …/outputs/<name>_<i>, the script given those paths', () => {
    const p = planStaging(algorithm, host, CONTAINER_PATHS);
    expect(p.channels.map((c) => [c.direction, c.name, c.visiblePath, c.hostDir, c.field, c.preDownload])).toEqual([
      ['input', 'data_url', '/home/ma-user/modelarts/inputs/data_url_0', `${host.mountPath}/inputs/data_url_0`, 'algorithm.inputs[0].path', false],
      ['output', 'train_url', '/home/ma-user/modelarts/outputs/train_url_0', `${host.mountPath}/outputs/train_url_0`, 'algorithm.outputs[0].path', true],
    ]);
    expect(p.algorithm.inputs).toEqual([{ name: 'data_url', path: '/home/ma-user/modelarts/inputs/data_url_0' }, algorithm.inputs[1]]);
    expect(p.algorithm.outputs).toEqual([{ name: 'train_url', path: '/home/ma-user/modelarts/outputs/train_url_0' }]);
  });

  it('the code comes down under the task home and is reached at ${MA_JOB_DIR}/<last segment> as a local one', () => {
    const p = planStaging(algorithm, host, host);
    expect(p.code).toEqual({ url: { bucket: 'jobs', prefix: 'code/demo/' }, name: 'demo', hostDir: `${host.home}/staged-code/demo` });
    expect(p.algorithm.codeDir).toBe(`${host.home}/staged-code/demo`);
    expect(p.channels[0].visiblePath).toBe(`${host.mountPath}/inputs/data_url_0`);
  });

  it('local and shared paths are left alone', () => {
    const local = { command: 'true', codeDir: '/srv/code', inputs: [{ name: 'd', path: '/data' }] };
    const p = planStaging(local, host, host);
    expect([p.code, p.channels, p.algorithm]).toEqual([undefined, [], local]);
  });

  it('property - every staged dir is inside the task\'s modelarts dir and distinct', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
    fc.assert(
      fc.property(fc.array(name, { maxLength: 6 }), fc.array(name, { maxLength: 6 }), (ins, outs) => {
        const p = planStaging({ command: 'x', inputs: ins.map((n) => ({ name: n, path: `s3://bkt/${n}` })), outputs: outs.map((n) => ({ name: n, path: `s3://bkt/o/${n}` })) }, host, CONTAINER_PATHS);
        const dirs = p.channels.map((c) => c.hostDir);
        expect(new Set(dirs).size).toBe(dirs.length);
        expect(dirs.every((d) => d.startsWith(`${host.mountPath}/`))).toBe(true);
        expect(p.channels.every((c) => c.visiblePath.startsWith('/home/ma-user/modelarts/'))).toBe(true);
      }),
    );
  });
});

describe('object urls - s3://bucket/prefix', () => {
  it('parses bucket and prefix, obs:// alike; refuses bad buckets and dot segments', () => {
    expect(parseObjectUrl('s3://datasets/mnist')).toEqual({ bucket: 'datasets', prefix: 'mnist/' });
    expect(parseObjectUrl('obs://datasets/a//b/')).toEqual({ bucket: 'datasets', prefix: 'a/b/' });
    expect(parseObjectUrl('s3://datasets')).toEqual({ bucket: 'datasets', prefix: '' });
    expect(parseObjectUrl('s3://Bad_Bucket/x')).toBeUndefined();
    expect(parseObjectUrl('s3://bkt/a/../b')).toBeUndefined();
    expect(parseObjectUrl('/mnt/data')).toBeUndefined();
  });
});

describe('staging limits - the guide\'s V9-V11 numbers', () => {
  const f = (key: string, size: number) => ({ key, size });
  it('inputs: ≤ 1000 files, each ≤ 1 GB, ≤ 10 GB (L1543-1592)', () => {
    expect(exceededLimit([f('a', 2 ** 30)], INPUT_LIMITS)).toBeUndefined();
    expect(exceededLimit([f('a', 2 ** 30 + 1)], INPUT_LIMITS)).toMatch(/a is 1.0 GB, more than the 1.0 GB/);
    expect(exceededLimit(Array.from({ length: 1001 }, (_, i) => f(`k${i}`, 1)), INPUT_LIMITS)).toMatch(/1001 files/);
    expect(exceededLimit(Array.from({ length: 11 }, (_, i) => f(`k${i}`, 2 ** 30)), INPUT_LIMITS)).toMatch(/11.0 GB in all/);
  });
  it('code: depth ≤ 32 (L1467-1469); outputs: ≤ 128 files, each ≤ 128 MB (L1595-1654)', () => {
    expect(exceededLimit([f(`${'d/'.repeat(33)}x`, 1)], CODE_LIMITS)).toMatch(/33 directories deep/);
    expect(exceededLimit([f(`${'d/'.repeat(32)}x`, 1)], CODE_LIMITS)).toBeUndefined();
    expect(exceededLimit(Array.from({ length: 129 }, (_, i) => f(`k${i}`, 1)), OUTPUT_LIMITS)).toMatch(/129 files/);
    expect(exceededLimit([f('big.ckpt', 129 * 2 ** 20)], OUTPUT_LIMITS)).toMatch(/big.ckpt/);
  });
});

describe('retry policy - the guide\'s MoXing defaults (L13026-13029)', () => {
  it('10 attempts, 0.1 s after the first failure, doubling', () => {
    expect(GUIDE_RETRY).toEqual({ attempts: 10, firstWaitMs: 100 });
    expect([1, 2, 3, 4, 10].map((n) => waitBefore(GUIDE_RETRY, n))).toEqual([0, 100, 200, 400, 25_600]);
  });
  it('retries what a retry can fix, and stops at once on a denied or missing bucket', async () => {
    const waits: number[] = [];
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(Object.assign(new Error('reset'), { name: 'ECONNRESET' })) : Promise.resolve('ok'));
    expect(await withRetry(GUIDE_RETRY, flaky, async (ms) => void waits.push(ms))).toBe('ok');
    expect(waits).toEqual([100, 200]);
    const denied = Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect(isRetryable(denied)).toBe(false);
    let n = 0;
    await expect(withRetry(GUIDE_RETRY, () => (n++, Promise.reject(denied)), async () => undefined)).rejects.toMatchObject({ name: 'AccessDenied', attempts: 1 });
    expect(n).toBe(1);
    let m = 0;
    await expect(withRetry({ attempts: 4, firstWaitMs: 1 }, () => (m++, Promise.reject(new Error('down'))), async () => undefined)).rejects.toMatchObject({ attempts: 4 });
    expect(m).toBe(4);
  });
});
