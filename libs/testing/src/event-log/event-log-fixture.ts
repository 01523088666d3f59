// Test support (@trainyard/testing/event-log): a private nats-server with the streams ensured and a log on it.
import { connectNats, ensureStreams, JetStreamEventLog, type JetStreamEventLogOptions } from '@trainyard/event-log';
import type { NatsConnection } from '@nats-io/transport-node';
import { startNatsServer, type NatsServer } from '../nats-server';

export interface EventLogFixture extends AsyncDisposable {
  server: NatsServer;
  nc: NatsConnection;
  log: JetStreamEventLog;
  /** Another connection and log, for "two processes" scenarios. */
  connect(name: string, opts?: JetStreamEventLogOptions): Promise<JetStreamEventLog>;
}

export async function startEventLog(opts: JetStreamEventLogOptions = {}): Promise<EventLogFixture> {
  const server = await startNatsServer();
  const extra: NatsConnection[] = [];
  const nc = await connectNats(server.url, 'event-log-test');
  await ensureStreams(nc);
  return {
    server,
    nc,
    log: new JetStreamEventLog(nc, opts),
    async connect(name, o = opts) {
      const c = await connectNats(server.url, name);
      extra.push(c);
      return new JetStreamEventLog(c, o);
    },
    async [Symbol.asyncDispose]() {
      for (const c of [nc, ...extra]) await c.close().catch(() => undefined);
      await server.stop();
    },
  };
}
