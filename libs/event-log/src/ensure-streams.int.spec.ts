import { Streams } from '@trainyard/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import { connectNats } from './connect';
import { ensureStreams } from './ensure-streams';
import { NatsUnreachable } from './errors';

describe('ensureStreams and connectNats', () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats(server.url, 'ensure-streams-test');
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('ensureStreams - creates both streams with the documented settings', async () => {
    const { events, logs } = await ensureStreams(nc);
    expect(events.config).toMatchObject({
      name: Streams.events,
      subjects: ['ty.ev.>'],
      storage: 'file',
      num_replicas: 1,
      max_age: 0,
      max_msgs: -1,
      max_bytes: -1,
      duplicate_window: nanos(120_000),
      deny_delete: true,
      deny_purge: true,
    });
    expect(logs.config).toMatchObject({ name: Streams.logs, subjects: ['ty.log.>'], storage: 'file', max_age: nanos(30 * 86_400_000) });
  });

  it('ensureStreams - is idempotent, also when services start together', async () => {
    await Promise.all([ensureStreams(nc), ensureStreams(nc), ensureStreams(nc)]);
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.names().next()).sort()).toEqual([Streams.events, Streams.logs]);
  });

  it('ensureStreams - brings an existing stream in line with new options', async () => {
    const { logs } = await ensureStreams(nc, { logMaxAgeMs: 3_600_000 });
    expect(logs.config.max_age).toBe(nanos(3_600_000));
  });

  it('connectNats - a server that is not there gives NatsUnreachable with the way to start one', async () => {
    await using down = await startNatsServer();
    await down.kill();
    const err = await connectNats(down.url, 'nobody').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NatsUnreachable);
    expect((err as Error).message).toContain('/usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js');
  });
});
