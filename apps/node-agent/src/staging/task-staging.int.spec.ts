import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startObjectStore, type ObjectStoreServer } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecError } from '../spec-error';
import { taskPaths } from '../task-paths';
import { LaunchError } from '../task-runtime';
import { parseObjectStores } from './object-stores';
import { planStaging } from './staging-plan';
import { stageTask, type StagingSettings } from './task-staging';

/** Staging against a real S3 server (s3rver on loopback): what comes down, what goes up, what fails how. */
describe('task staging - inputs, code and outputs through a real S3-compatible server', () => {
  let s3: ObjectStoreServer;
  let client: S3Client;
  let work: string;
  const lines: string[] = [];
  const line = (_s: 'stdout' | 'stderr', t: string) => void lines.push(t);

  const settings = (over: Partial<{ accessKeyId: string; endpoint: string; attempts: number }> = {}): StagingSettings => ({
    stores: parseObjectStores({ stores: [{ endpoint: over.endpoint ?? s3.endpoint, accessKeyId: over.accessKeyId ?? s3.accessKeyId, secretAccessKey: s3.secretAccessKey }] }),
    pool: 'default',
    retry: { attempts: over.attempts ?? 3, firstWaitMs: 10 },
    syncMs: 50,
  });
  const put = (bucket: string, key: string, body: string) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const get = async (bucket: string, key: string) => (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
  const paths = (attempt: number) => taskPaths(work, { jobId: 'j1', task: 'worker-0', attempt });

  beforeAll(async () => {
    s3 = await startObjectStore({ buckets: ['jobs', 'datasets', 'ckpt'] });
    client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    work = mkdtempSync(join(tmpdir(), 'ty-staging-'));
    await put('jobs', 'code/demo/train.sh', 'echo train');
    await put('jobs', 'code/demo/lib/util.sh', 'echo util');
    await put('datasets', 'mnist/numbers.txt', '1 2 3');
    await put('ckpt', 'run-1/ckpt-1.txt', 'step 1');
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('downloads the code dir, the inputs and the outputs to pre-download to the guide\'s paths, and syncs outputs back', async () => {
    const p = paths(1);
    const plan = planStaging({
      command: 'sh train.sh', codeDir: 's3://jobs/code/demo/',
      inputs: [{ name: 'data_url', path: 's3://datasets/mnist/' }],
      outputs: [{ name: 'train_url', path: 's3://ckpt/run-1/', preDownload: true }],
    }, p, p);
    const staged = await stageTask(plan, settings(), line);
    expect(readFileSync(join(p.home, 'staged-code/demo/lib/util.sh'), 'utf8')).toBe('echo util');
    expect(readFileSync(join(p.mountPath, 'inputs/data_url_0/numbers.txt'), 'utf8')).toBe('1 2 3');
    expect(readFileSync(join(p.mountPath, 'outputs/train_url_0/ckpt-1.txt'), 'utf8')).toBe('step 1');
    expect(staged.env).toEqual({ MA_S3_ENDPOINT: s3.endpoint, S3_USE_HTTPS: '0', S3_VERIFY_SSL: '0' });
    expect(lines.some((l) => /^\[staging\] input data_url s3:\/\/datasets\/mnist\/: 1 file\(s\), 5 bytes downloaded/.test(l))).toBe(true);

    // While it runs: a new checkpoint reaches the store within a sync period; at the end, the last one.
    staged.outputs!.start();
    writeFileSync(join(p.mountPath, 'outputs/train_url_0/ckpt-2.txt'), 'step 2');
    await expect.poll(() => get('ckpt', 'run-1/ckpt-2.txt').catch(() => undefined), { timeout: 5000 }).toBe('step 2');
    mkdirSync(join(p.mountPath, 'outputs/train_url_0/sub'));
    writeFileSync(join(p.mountPath, 'outputs/train_url_0/sub/final.txt'), 'done');
    const results = await staged.outputs!.finish();
    expect(results).toEqual([{ name: 'train_url', uploaded: 1 }]);
    expect(await get('ckpt', 'run-1/sub/final.txt')).toBe('done');
  });

  it('failures name the channel: a bucket nobody serves, a wrong key, nothing at the code dir, over a limit; an unreachable store is the node\'s', async () => {
    const p = paths(2);
    const stage = (alg: Parameters<typeof planStaging>[0], s = settings()) => stageTask(planStaging(alg, p, p), s, line);
    const noStore = { ...settings(), stores: [] };
    await expect(stage({ command: 'x', inputs: [{ name: 'd', path: 's3://datasets/mnist/' }] }, noStore)).rejects.toMatchObject({ field: 'algorithm.inputs[0].path', code: 'invalid' });
    await expect(stage({ command: 'x', inputs: [{ name: 'd', path: 's3://datasets/mnist/' }] }, settings({ accessKeyId: 'NOT-A-KEY' }))).rejects.toMatchObject({ field: 'algorithm.inputs[0].path', code: 'access-denied' });
    await expect(stage({ command: 'x', codeDir: 's3://jobs/code/missing/' })).rejects.toMatchObject({ field: 'algorithm.codeDir', code: 'not-found' });
    await expect(stage({ command: 'x', inputs: [{ name: 'd', path: 's3://no-such-bucket/x/' }] })).rejects.toBeInstanceOf(SpecError);
    await put('ckpt', 'big/huge.bin', 'x'.repeat(1024));
    const tooMany = Array.from({ length: 129 }, (_, i) => put('ckpt', `many/f${i}`, 'x'));
    await Promise.all(tooMany);
    await expect(stage({ command: 'x', outputs: [{ name: 'o', path: 's3://ckpt/many/', preDownload: true }] })).rejects.toMatchObject({ field: 'algorithm.outputs[0].path', code: 'too-large' });
    expect(existsSync(join(p.mountPath, 'outputs/o_0/f0'))).toBe(false);
    const started = Date.now();
    const down = stage({ command: 'x', inputs: [{ name: 'd', path: 's3://datasets/mnist/' }] }, settings({ endpoint: 'http://127.0.0.1:9', attempts: 3 }));
    await expect(down).rejects.toBeInstanceOf(LaunchError);
    await expect(down).rejects.toThrow(/after 3 attempt\(s\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });
});
