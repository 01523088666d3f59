import { jetstreamManager } from '@nats-io/jetstream';
import { Streams } from '@trainyard/contracts';
import { connectNats, streamInfo } from '@trainyard/event-log';
import { freshSchema } from '@trainyard/testing';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startLocalCluster } from '../apps/all-in-one/src/local-cluster';
import { eventually } from './support/eventually';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * The NATS server the services use is replaced by one with an empty store (same port): the event
 * stream is gone. That is an outage, said so — 503 STREAM_MISSING and an error in the log — never a
 * missing job, and nothing recreates the stream (which would hide the loss).
 */
describe('stream loss - a missing event stream is an outage, said so', () => {
  let t: TestCluster;
  let backup: string;
  let jobId: string;
  beforeAll(async () => {
    t = await startTestCluster();
    backup = await mkdtemp(join(tmpdir(), 'ty-nats-backup-'));
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    await rm(backup, { recursive: true, force: true });
  });

  const streamsOnServer = async () => {
    const nc = await connectNats(t.nats.url, 'stream-loss-probe');
    try {
      const jsm = await jetstreamManager(nc);
      return { events: await streamInfo(jsm, Streams.events), logs: await streamInfo(jsm, Streams.logs) };
    } finally {
      await nc.close();
    }
  };

  it('answers 503 STREAM_MISSING for submits and reads once the store is replaced by an empty one, and logs an error', async () => {
    const first = await t.api.call('POST', '/v1/training-jobs', shellJob('before-loss', 'echo kept'));
    jobId = first.body.id;
    await t.api.waitFor(jobId, 'completed');

    const stderr = vi.spyOn(process.stderr, 'write');
    await t.nats.kill();
    await cp(t.nats.storeDir, backup, { recursive: true });
    await rm(t.nats.storeDir, { recursive: true, force: true });
    await mkdir(t.nats.storeDir);
    await t.nats.start();

    const submit = await eventually(async () => {
      const r = await t.api.call('POST', '/v1/training-jobs', shellJob('after-loss', 'echo lost?'));
      return r.status === 503 && r.body.error.code === 'STREAM_MISSING' ? r : undefined;
    }, 60_000);
    expect(submit.body.error.message).toMatch(/stream TY_EVENTS is missing: the NATS store was lost or replaced/);
    const read = await t.api.call('GET', `/v1/training-jobs/${jobId}`);
    expect([read.status, read.body.error.code]).toEqual([503, 'STREAM_MISSING']);
    const logs = await t.api.call('GET', `/v1/training-jobs/${jobId}/tasks/worker-0/logs`);
    expect([logs.status, logs.body.error.code]).toEqual([503, 'STREAM_MISSING']);
    const logged = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
    stderr.mockRestore();
    expect(logged).toMatch(/stream TY_EVENTS is missing: .*answering 503 STREAM_MISSING/);
    // Monitoring stays up to show it.
    expect((await fetch(`${t.api.url}/metrics`, { headers: t.api.auth })).status).toBe(200);

    // Seconds later, after every service has retried: nobody recreated either stream.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await streamsOnServer()).toEqual({ events: undefined, logs: undefined });
  });

  it('a control plane started on read models that applied commits refuses the empty store instead of recreating it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trainyard-restart-'));
    try {
      const restart = startLocalCluster({ natsUrl: t.nats.url, databaseUrl: t.schema.url, schema: t.schema.schema, dataDir, api: { host: '127.0.0.1', port: 0 }, agents: [] });
      await expect(restart).rejects.toMatchObject({ name: 'StreamMissing', message: expect.stringMatching(/stream TY_EVENTS missing, but \d+ of its messages were applied here/) });
      expect(await streamsOnServer()).toEqual({ events: undefined, logs: undefined });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a fresh cluster (empty read models) still creates the streams at its first start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'trainyard-fresh-'));
    const schema = await freshSchema();
    try {
      const fresh = await startLocalCluster({ natsUrl: t.nats.url, databaseUrl: schema.url, schema: schema.schema, dataDir, api: { host: '127.0.0.1', port: 0 }, agents: [] });
      await fresh.stop();
      const { events, logs } = await streamsOnServer();
      expect([events?.config.name, logs?.config.name]).toEqual([Streams.events, Streams.logs]);
      // The first cluster's read models are ahead of this new stream: still an outage for it.
      const r = await eventually(async () => {
        const x = await t.api.call('GET', `/v1/training-jobs/${jobId}`);
        return x.status === 503 && /it was replaced/.test(x.body.error.message) ? x : undefined;
      });
      expect(r.body.error).toMatchObject({ code: 'STREAM_MISSING', message: expect.stringMatching(/ends at sequence \d+, before the \d+ the read models applied/) });
    } finally {
      await schema.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('restoring the store ends the outage: nothing was lost, and new jobs run', async () => {
    await t.nats.kill();
    await rm(t.nats.storeDir, { recursive: true, force: true });
    await cp(backup, t.nats.storeDir, { recursive: true });
    await t.nats.start();
    const job = await eventually(async () => {
      const r = await t.api.call('GET', `/v1/training-jobs/${jobId}`);
      return r.status === 200 ? r.body : undefined;
    }, 30_000);
    expect(job.state).toBe('completed');
    const next = await eventually(async () => {
      const r = await t.api.call('POST', '/v1/training-jobs', shellJob('after-restore', 'echo back'));
      return r.status === 201 ? r.body : undefined;
    }, 30_000);
    await t.api.waitFor(next.id, 'completed');
  });
});
