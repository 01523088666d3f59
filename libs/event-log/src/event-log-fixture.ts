// Test support (not exported): a private nats-server with the streams ensured and a log on it.
import { event, type CommitMeta, type DomainEvent } from '@trainyard/contracts';
// The file, not the barrel: the barrel also loads the Postgres fixture, which NATS tests do not need.
import { startNatsServer, type NatsServer } from '../../testing/src/nats-server';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from './connect';
import { ensureStreams } from './ensure-streams';
import { JetStreamEventLog, type JetStreamEventLogOptions } from './jetstream-event-log';

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

let counter = 0;

/** Commit metadata with a fresh (or the given) command id. */
export function meta(commandId = `cmd-${process.pid}-${++counter}`): CommitMeta {
  return { commandId, correlationId: commandId, actor: 'test' };
}

/** A small valid event; `n` makes it recognisable when read back. */
export function queued(n: number): DomainEvent {
  return event('JobQueued', new Date(Date.UTC(2026, 0, 1, 0, 0, n % 60)).toISOString(), { priority: n });
}

/** The `priority` of every `JobQueued` in the commits, in order: a compact view for assertions. */
export function priorities(commits: { events: DomainEvent[] }[]): number[] {
  return commits.flatMap((c) => c.events.map((e) => (e.type === 'JobQueued' ? e.data.priority : -1)));
}

/** Resolves when `check()` holds, polling; the test's own timeout bounds the wait. */
export async function eventually(check: () => boolean, everyMs = 20): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, everyMs));
}
