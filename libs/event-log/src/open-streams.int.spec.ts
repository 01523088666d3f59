import { Streams, Subjects } from '@trainyard/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { meta, queued } from '@trainyard/testing/event-log';
import { connectNats } from './connect';
import { ensureStreams } from './ensure-streams';
import { StreamMissing } from './errors';
import { JetStreamEventLog } from './jetstream-event-log';
import { awaitStreams, openStreams, streamInfo } from './open-streams';

describe('streams at start and at run time - created once, a loss reported', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeEach(async () => {
    server = await startNatsServer();
    nc = await connectNats(server.url, 'open-streams-test');
  });
  afterEach(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('openStreams - creates what its owner owns on a fresh cluster, and nothing else', async () => {
    await openStreams(nc, { events: 0 });
    const jsm = await jetstreamManager(nc);
    expect(await streamInfo(jsm, Streams.events)).toBeDefined();
    expect(await streamInfo(jsm, Streams.logs)).toBeUndefined();
    await openStreams(nc, { logs: 0 }, { logMaxAgeMs: 3_600_000 });
    expect((await streamInfo(jsm, Streams.logs))?.config.max_age).toBe(3_600_000 * 1e6);
  });

  it('openStreams - refuses a missing stream its store applied from, and one that ends before that', async () => {
    await expect(openStreams(nc, { events: 7 })).rejects.toMatchObject({ name: 'StreamMissing', code: 'STREAM_MISSING', message: expect.stringContaining('missing, but 7') });
    expect(await streamInfo(await jetstreamManager(nc), Streams.events)).toBeUndefined();
    await ensureStreams(nc);
    await new JetStreamEventLog(nc).append(Subjects.job('j1'), [queued(1)], meta(), 0);
    await expect(openStreams(nc, { events: 7 })).rejects.toThrow(/ends at sequence 1, before the 7 applied here: it was replaced/);
    await expect(openStreams(nc, { events: 1 })).resolves.toBeUndefined();
  });

  it('awaitStreams - waits for the owner to create the stream, never creating it itself', async () => {
    const said: string[][] = [];
    let done = false;
    const waiting = awaitStreams(nc, { pollMs: 50, onWait: (m) => said.push(m) }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(said).toEqual([[Streams.events]]);
    expect(await streamInfo(await jetstreamManager(nc), Streams.events)).toBeUndefined();
    await openStreams(nc, { events: 0 });
    await waiting;
    expect(done).toBe(true);
  });

  it('a stream lost at run time: append, read and lastSeq fail with StreamMissing, and nothing recreates it', async () => {
    await ensureStreams(nc);
    const log = new JetStreamEventLog(nc);
    await log.append(Subjects.job('j1'), [queued(1)], meta(), 0);
    // The NATS server is replaced by one with an empty store, on the same port.
    await server.kill();
    const { rm, mkdir } = await import('node:fs/promises');
    await rm(server.storeDir, { recursive: true, force: true });
    await mkdir(server.storeDir, { recursive: true });
    await server.start();
    const missing = async (call: () => Promise<unknown>) => {
      for (let i = 0; ; i++) {
        const err = await call().then(() => undefined, (e: unknown) => e);
        // The client reconnects first; until then the server is merely unreachable.
        if (err instanceof StreamMissing || i > 50) return err;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    expect(await missing(() => log.lastSeq())).toBeInstanceOf(StreamMissing);
    expect(await missing(() => log.append(Subjects.job('j2'), [queued(1)], meta(), 0))).toMatchObject({ name: 'StreamMissing', code: 'STREAM_MISSING' });
    expect(await missing(() => log.read(Subjects.job('j1')))).toBeInstanceOf(StreamMissing);
    expect(await streamInfo(await jetstreamManager(nc), Streams.events)).toBeUndefined();
  });
});
