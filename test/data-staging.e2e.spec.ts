import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type Docker from 'dockerode';
import { startObjectStore, type ObjectStoreServer } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireContainerEngine, TEST_IMAGE } from '../apps/node-agent/src/container-runtime.fixture';
import { loadObjectStores } from '../apps/node-agent/src/staging/object-stores';
import { eventually } from './support/eventually';
import { eventOf, events, FAST_FAULTS, logLines, submit, withFaultTolerance } from './support/fault-injection';
import { buildOnce, startService, type ServiceProcess } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/** The training script the job's code dir (in the store) holds: resumes from its output's checkpoint. */
const TRAIN = [
  'for a in "$@"; do case "$a" in --data_url=*) IN="${a#*=}";; --train_url=*) OUT="${a#*=}";; esac; done',
  'echo "data_url=$IN train_url=$OUT"',
  'echo "input: $(cat "$IN/numbers.txt")"',
  'env | sort | sed "s/^/env: /"',
  'if [ -f "$OUT/ckpt.txt" ]; then echo "resumed from $(cat "$OUT/ckpt.txt") schedule=$MA_SCHEDULE_CNT"; exit 0; fi',
  'echo "epoch-3" > "$OUT/ckpt.txt"; echo "checkpoint written"; sleep 120',
].join('\n');

/**
 * Data staging end to end (issue 14) against s3rver on loopback: a container job's code, input and
 * output live in the store. The agent of node-2 (its own process) downloads the code and the input to
 * the guide's paths, the job writes a checkpoint that the output sync uploads, then the agent is
 * SIGKILLed (the node is lost). The fault manager reschedules the job on node-1, whose agent
 * pre-downloads the output: the job resumes from the checkpoint and completes. The store's secret key
 * appears nowhere: not in the task's environment, its log, the job's events or the agents' logs.
 */
describe('data staging - input from the object store, checkpoint to it, resumed on another node from the pre-downloaded output', () => {
  let t: TestCluster;
  let s3: ObjectStoreServer;
  let client: S3Client;
  let docker: Docker;
  let agent: ServiceProcess | undefined;
  let secretsDir: string;
  let storesFile: string;
  // s3rver checks the access key id, not the signature: the secret can be one the test can find anywhere.
  const SECRET = `ty-e2e-secret-${randomUUID()}`;

  beforeAll(async () => {
    docker = await requireContainerEngine();
    buildOnce();
    s3 = await startObjectStore({ buckets: ['jobs', 'datasets', 'ckpt'] });
    client = new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: SECRET } });
    await client.send(new PutObjectCommand({ Bucket: 'jobs', Key: 'code/demo/train.sh', Body: TRAIN }));
    await client.send(new PutObjectCommand({ Bucket: 'datasets', Key: 'mnist/numbers.txt', Body: '4 8 15 16 23 42' }));
    secretsDir = mkdtempSync(join(tmpdir(), 'ty-secrets-'));
    storesFile = join(secretsDir, 'object-stores.json');
    writeFileSync(storesFile, JSON.stringify({ stores: [{ name: 'local', endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: SECRET }] }));
    chmodSync(storesFile, 0o600);
    const staging = { stores: loadObjectStores(storesFile), retry: { attempts: 10, firstWaitMs: 100 }, syncMs: 300 };
    t = await startTestCluster({
      faultManager: FAST_FAULTS,
      agents: [{ nodeId: 'node-1', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 1_000, staging }],
    });
    agent = await startService('node-2', 'node-agent', {
      TY_NATS_URL: t.nats.url,
      TY_NODE_ID: 'node-2',
      TY_NODE_CPU: '2',
      TY_NODE_MEMORY_MIB: '2048',
      TY_NODE_WORK_DIR: join(t.dataDir, 'agents', 'node-2'),
      TY_HEARTBEAT_MS: '500',
      TY_STOP_GRACE_MS: '1000',
      TY_PREFLIGHT: 'off',
      TY_OBJECT_STORES_FILE: storesFile,
      TY_OUTPUT_SYNC_MS: '300',
    }, /node agent ready/);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await t?.[Symbol.asyncDispose]();
    client?.destroy();
    await s3?.stop();
    for (const node of ['node-1', 'node-2']) {
      const left = await docker?.listContainers({ all: true, filters: { label: [`io.trainyard.node=${node}`] } });
      for (const c of left ?? []) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    }
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  });

  it('reads /home/ma-user/modelarts/inputs/data_url_0, checkpoints to its output, is killed, resumes on node-1 from the pre-downloaded output', async () => {
    const spec = withFaultTolerance(shellJob('staged', 'sh ${MA_JOB_DIR}/demo/train.sh', 1, {
      runtime: 'container',
      nodeAffinity: [{ type: 'affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': 'node-2' } }],
    }), { 'fault-tolerance/job-retry-num': '2' });
    spec.algorithm = {
      ...spec.algorithm,
      image: TEST_IMAGE,
      codeDir: 's3://jobs/code/demo/',
      inputs: [{ name: 'data_url', path: 's3://datasets/mnist/' }],
      outputs: [{ name: 'train_url', path: 's3://ckpt/run-1/', preDownload: true }],
    };
    const id = await submit(t.api, spec);
    const started = await eventOf(t.api, id, (e) => e.type === 'TaskStarted');
    expect(started.data.nodeId).toBe('node-2');
    const first = await logLines(t.api, id, 'worker-0', 1, /checkpoint written/);
    expect(first).toContain('data_url=/home/ma-user/modelarts/inputs/data_url_0 train_url=/home/ma-user/modelarts/outputs/train_url_0');
    expect(first).toContain('input: 4 8 15 16 23 42');
    expect(first).toContain(`env: MA_S3_ENDPOINT=${s3.endpoint}`);
    expect(first).toContain('env: S3_USE_HTTPS=0');
    expect(first).toContain('env: S3_VERIFY_SSL=0');
    expect(first.some((l) => /^\[staging\] code s3:\/\/jobs\/code\/demo\/: 1 file/.test(l))).toBe(true);

    // The output sync brings the checkpoint to the store while the job runs.
    const inStore = async () => (await client.send(new GetObjectCommand({ Bucket: 'ckpt', Key: 'run-1/ckpt.txt' }))).Body!.transformToString();
    expect(await eventually(() => inStore().catch(() => undefined), 10_000)).toBe('epoch-3\n');

    await agent!.kill();
    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'succeeded', attempt: 2, nodeId: 'node-1' });
    const second = await logLines(t.api, id, 'worker-0', 2, /resumed from/);
    expect(second).toContain('resumed from epoch-3 schedule=2');
    expect(second.some((l) => /^\[staging\] output train_url \(pre-download\) s3:\/\/ckpt\/run-1\/: 1 file/.test(l))).toBe(true);
    expect((await events(t.api, id)).find((e) => e.type === 'RecoveryDecided').data).toMatchObject({ fault: { kind: 'node-lost', nodeId: 'node-2' } });

    // The guide's staging events (L9973-9979): W06 and W09 before each attempt's start, W08 before its exit.
    const evs = await events(t.api, id);
    const at = (type: string, attempt: number, name: string) => evs.findIndex((e) => e.type === type && e.data.attempt === attempt && e.data.name === name);
    const start = (attempt: number) => evs.findIndex((e) => e.type === 'TaskStarted' && e.data.attempt === attempt);
    for (const attempt of [1, 2]) {
      expect(at('TaskInputDownloaded', attempt, 'data_url')).toBeGreaterThanOrEqual(0);
      expect(at('TaskInputDownloaded', attempt, 'data_url')).toBeLessThan(start(attempt));
      expect(at('TaskOutputPrefetched', attempt, 'train_url')).toBeLessThan(start(attempt));
    }
    expect(evs[at('TaskInputDownloaded', 2, 'data_url')]).toMatchObject({ messageZh: expect.stringMatching(/^\[worker-0\] \[耗时：[\d.]+ 秒\] 训练输入（参数名称：data_url）下载完成$/), data: { files: 1 } });
    expect(evs[at('TaskOutputPrefetched', 2, 'train_url')].data.files).toBe(1);
    const exit2 = evs.findIndex((e) => e.type === 'TaskExited' && e.data.attempt === 2);
    expect(at('TaskOutputUploaded', 2, 'train_url')).toBeGreaterThan(start(2));
    expect(at('TaskOutputUploaded', 2, 'train_url')).toBeLessThan(exit2);

    // The secret key is nowhere a user or an operator reads: the task's env and log, the events, the agent's own log.
    const everything = JSON.stringify([first, second, await events(t.api, id)]) + agent!.output();
    expect(everything).not.toContain(SECRET);
  });

  it('an input no store serves is W07 (L9975) naming the channel, then the job fails with the input\'s field', async () => {
    const spec = shellJob('no-store', 'true', 1, { nodeAffinity: [{ type: 'affinity', strength: 'required', labels: { 'trainyard.io/node-id': 'node-1' } }] });
    spec.algorithm.inputs = [{ name: 'data_url', path: 's3://nobody-serves-this/x/' }];
    const id = await submit(t.api, spec);
    const done = await t.api.waitFor(id, 'failed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'failed' });
    const evs = await events(t.api, id);
    const w07 = evs.findIndex((e) => e.type === 'TaskInputDownloadFailed');
    expect(evs[w07]).toMatchObject({ data: { name: 'data_url', reason: expect.stringContaining('nobody-serves-this') }, messageZh: expect.stringContaining('训练输入（参数名称：data_url）下载失败，失败原因：') });
    expect(w07).toBeLessThan(evs.findIndex((e) => e.type === 'TaskExited'));
    expect(evs.find((e) => e.type === 'JobFailed').data).toMatchObject({ reason: 'user-error', field: 'algorithm.inputs[0].path' });
  });
});
