import { existsSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server';

describe('startNatsServer', () => {
  it('nats-server - serves JetStream on a private port and cleans up its store dir', async () => {
    const server = await startNatsServer();
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    expect(server.port).not.toBe(4222);
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'S', subjects: ['s.>'] });
    await nc.close();

    await server.stop();
    expect(server.running).toBe(false);
    expect(existsSync(server.storeDir)).toBe(false);
    await server.stop(); // idempotent
  });

  it('nats-server - restart keeps the port and the JetStream data', async () => {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'S', subjects: ['s.>'], storage: 'file' });
      await jetstream(nc).publish('s.1', 'before');

      await server.restart({ signal: 'SIGKILL' });

      expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
      // nats.js drops what is published while disconnected, so ask again until the client is back.
      const ack = await jetstream(nc, { timeout: 500 }).publish('s.1', 'after', { retries: 40 });
      expect(ack.seq).toBe(2);
      expect((await jsm.streams.info('S')).state.messages).toBe(2);
    } finally {
      await nc.close();
    }
  });

  it('nats-server - kill and start leave an observable outage', async () => {
    await using server = await startNatsServer();
    await server.kill();
    expect(server.running).toBe(false);
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow();
    await server.start();
    const nc = await connect({ servers: server.url });
    await nc.close();
  });
});
