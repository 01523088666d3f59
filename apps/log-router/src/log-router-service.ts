import type { NatsConnection } from '@nats-io/transport-node';
import type { INestMicroservice } from '@nestjs/common';
import type { DatabaseHandle } from '@trainyard/db';
import { startService } from '@trainyard/transport-jetstream';
import type { LogRouter } from './log-router';
import type { LogRetention } from './log-retention';
import { LogRouterModule, LogRouterParts, type LogRouterServiceOptions } from './log-router.module';
import type { ResourceSampleSink } from './resource-sample-sink';

export type { LogRouterServiceOptions };

export interface LogRouterService {
  router: LogRouter;
  samples: ResourceSampleSink;
  retention: LogRetention;
  app: INestMicroservice;
  stop(): Promise<void>;
}

/**
 * The log router as a Nest microservice: its three jobs on one database (store TY_LOGS, store resource
 * samples, apply retention). `process`: see `startService` (a process of its own passes both).
 */
export async function startLogRouterService(
  nc: NatsConnection,
  database: DatabaseHandle,
  opts: LogRouterServiceOptions = {},
  process: { finally?: (() => unknown)[]; handleSignals?: boolean } = {},
): Promise<LogRouterService> {
  const { app } = await startService({ module: LogRouterModule.forRoot({ nc, database, options: opts }), nc, ...process });
  const { router, samples, retention } = app.get(LogRouterParts);
  return { router, samples, retention, app, stop: () => app.close() };
}
