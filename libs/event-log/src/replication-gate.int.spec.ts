import { Streams } from '@trainyard/contracts';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import { connectNats } from './connect';
import { awaitStreams, openStreams } from './open-streams';
import { UnsafeReplication } from './replication-check';
import { MIN_REPLICATED_SERVER_VERSION, parseServerVersion, versionAtLeast } from './replication-gate';

// The servers here are the machine's own nats-server (Debian: 2.9.10); the expectations follow
// what its greeting says, so the same file holds on a newer server.
const tooOld = (nc: NatsConnection) => !versionAtLeast(parseServerVersion(nc.info?.version)!, parseServerVersion(MIN_REPLICATED_SERVER_VERSION)!);

describe('replicated streams on the real nats-server (version from its INFO)', () => {
  let single: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    single = await startNatsServer();
    nc = await connectNats(single.url, 'replication-gate-test');
  });
  afterAll(async () => {
    await nc?.close();
    await single?.stop();
  });

  it('reads the server version at connect', () => {
    expect(parseServerVersion(nc.info?.version)).toBeDefined();
  });

  it('openStreams - refuses to create TY_EVENTS with 3 replicas below 2.9.21, and creates nothing', async () => {
    if (!tooOld(nc)) return expect(nc.info?.version).toMatch(/^\d/); // nothing to refuse on a fixed server
    const err = await openStreams(nc, { events: 0 }, { replicas: 3, allowOld: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeReplication);
    expect((err as Error).message).toContain(`stream TY_EVENTS with 3 replicas on nats-server ${nc.info!.version} refused`);
    const jsm = await jetstreamManager(nc);
    expect(await jsm.streams.names().next()).toEqual([]);
  });

  it('openStreams - one replica is created on the same server', async () => {
    await openStreams(nc, { events: 0 }, { replicas: 1, allowOld: false });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(Streams.events)).config.num_replicas).toBe(1);
  });
});

describe('a three-server JetStream cluster of that version', () => {
  const servers: NatsServer[] = [];
  let nc: NatsConnection;
  beforeAll(async () => {
    const cluster = await Promise.all([0, 1, 2].map(() => freePort()));
    const routes = cluster.map((p) => `nats://127.0.0.1:${p}`).join(',');
    for (const [i, port] of cluster.entries()) {
      servers.push(await startNatsServer({ args: ['-n', `ty-gate-${i}`, '--cluster_name', 'ty-gate', '--cluster', `nats://127.0.0.1:${port}`, '--routes', routes] }));
    }
    nc = await connectNats(servers.map((s) => s.url).join(','), 'replication-gate-cluster');
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('R3 only with the explicit override, which warns loudly; then nobody uses it without the override', async () => {
    const warnings: string[] = [];
    // The meta leader takes a moment after the routes form; each attempt warns again, the last one counts.
    await retry(() => {
      warnings.length = 0;
      return openStreams(nc, { events: 0 }, { replicas: 3, allowOld: true, warn: (m) => warnings.push(m) });
    });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(Streams.events)).config.num_replicas).toBe(3);
    if (!tooOld(nc)) return expect(warnings).toEqual([]);
    expect(warnings).toEqual([expect.stringMatching(/^UNSAFE: stream TY_EVENTS with 3 replicas on nats-server 2\.9\.\d+, allowed by TY_ALLOW_REPLICAS_ON_OLD_NATS=1/)]);

    // A scheduler, fault manager or agent (awaitStreams) finds the R3 stream and refuses to use it…
    const other = await connectNats(servers[1]!.url, 'replication-gate-user');
    try {
      const err = await awaitStreams(other, { allowOld: false, pollMs: 50 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafeReplication);
      expect((err as Error).message).toContain('nats-server#4320');
      // …and so does the stream's owner on its next start, even when it asks for one replica.
      expect(await openStreams(other, { events: 0 }, { replicas: 1, allowOld: false }).catch((e: unknown) => e)).toBeInstanceOf(UnsafeReplication);
      // With the override it goes on, saying so.
      await awaitStreams(other, { allowOld: true, warn: (m) => warnings.push(m) });
      expect(warnings).toHaveLength(2);
    } finally {
      await other.close();
    }
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function retry<T>(f: () => Promise<T>, attempts = 60): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await f();
    } catch (err) {
      if (i >= attempts || err instanceof UnsafeReplication) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
