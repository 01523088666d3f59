import type { NatsConnection } from '@nats-io/transport-node';
import type { INestMicroservice } from '@nestjs/common';
import { Subjects } from '@trainyard/contracts';
import type { DatabaseHandle } from '@trainyard/db';
import { awaitStreams, JetStreamEventLog } from '@trainyard/event-log';
import { startService } from '@trainyard/transport-jetstream';
import { NOTIFIER_COMMITS, NotifierModule } from './notifier.module';
import { DEFAULT_NOTIFIER_OPTIONS, type NotifierOptions } from './notifier-options';

export interface NotifierService {
  app: INestMicroservice;
  stop(): Promise<void>;
}

/**
 * The notifier (issue 15) as a Nest microservice: a durable consumer over the whole log (so it sees
 * subscriptions and job events in one order) and the delivery worker. `process`: see `startService`.
 */
export async function startNotifierService(
  nc: NatsConnection,
  database: DatabaseHandle,
  options: Partial<NotifierOptions> = {},
  process: { finally?: (() => unknown)[]; handleSignals?: boolean; log?: (level: 'info' | 'warn', msg: string) => void } = {},
): Promise<NotifierService> {
  const o = { ...DEFAULT_NOTIFIER_OPTIONS, ...options };
  const say = process.log ?? ((level: string, m: string) => console.error(`[notifier] ${level}: ${m}`));
  await awaitStreams(nc, { streams: ['events'] });
  const log = new JetStreamEventLog(nc);
  const { app } = await startService({
    module: NotifierModule.forRoot({ database, delivery: { backoff: o.backoff, timeoutMs: o.timeoutMs, concurrency: o.concurrency, pollMs: o.pollMs, log: say } }),
    nc,
    log,
    consumers: {
      [NOTIFIER_COMMITS]: {
        kind: 'durable',
        durable: o.durable,
        filter: Subjects.eventsAll,
        retryDelayMs: 1000,
        onError: (err, at) => say('warn', `commit ${at.seq} on ${at.subject} not handled; it will come again: ${(err as Error).message}`),
      },
    },
    finally: process.finally,
    handleSignals: process.handleSignals,
  });
  return { app, stop: () => app.close() };
}
