import type { NatsConnection } from '@nats-io/transport-node';
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  deleteExpiredLogs, deleteExpiredSamples, insertMetricSamples, quarantineLogMessage, readLogCheckpoint, storeLogWrite, type DatabaseHandle,
} from '@trainyard/db';
import { logRouterMetrics } from '@trainyard/telemetry';
import { JetStreamEventLog } from '@trainyard/event-log';
import { DEFAULT_LOG_ROUTER_OPTIONS, LogRouter, type LogRouterOptions } from './log-router';
import { TaskPlacements } from './task-placements';
import { LogRetention } from './log-retention';
import { ResourceSampleSink } from './resource-sample-sink';

export interface LogRouterServiceOptions {
  /** How long logs and resource samples are kept. Default 30 days (the guide). */
  retentionMs?: number;
  /** How often expired data is deleted. Default hourly. */
  retentionEveryMs?: number;
  router?: Partial<LogRouterOptions>;
  log?: (msg: string) => void;
}

export interface LogRouterDeps {
  nc: NatsConnection;
  database: DatabaseHandle;
  options?: LogRouterServiceOptions;
}

/** Starts the three parts in order once the container is built, and stops them in reverse. */
@Injectable()
export class LogRouterParts implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(LogRouter) readonly router: LogRouter,
    @Inject(ResourceSampleSink) readonly samples: ResourceSampleSink,
    @Inject(LogRetention) readonly retention: LogRetention,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.router.start();
    this.samples.start();
    this.retention.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.retention.stop();
    await this.samples.stop();
    await this.router.stop();
  }
}

/**
 * The log router as a Nest module, its three jobs on one database as providers: store TY_LOGS
 * (LogRouter, checkpointed), store resource samples, apply retention.
 */
@Module({})
export class LogRouterModule {
  static forRoot(deps: LogRouterDeps): DynamicModule {
    const opts = deps.options ?? {};
    const db = deps.database.db;
    const say = opts.log ?? ((m: string) => console.error(`[log-router] ${m}`));
    return {
      module: LogRouterModule,
      providers: [
        {
          provide: LogRouter,
          useFactory: () => {
            const metrics = logRouterMetrics();
            const onStored: LogRouterOptions['onStored'] = (s) => {
              metrics.linesStored.inc(s.lines);
              metrics.messagesStored.inc(s.messages);
              metrics.storeSeconds.observe(s.ms / 1000);
              metrics.checkpoint.set(s.streamSeq);
            };
            return new LogRouter(
              deps.nc,
              { checkpoint: (name) => readLogCheckpoint(db, name), write: (w) => storeLogWrite(db, w), quarantine: (name, letter) => quarantineLogMessage(db, name, letter) },
              // Each batch's node is checked against its task's placements in the event log (issue 11).
              { ...DEFAULT_LOG_ROUTER_OPTIONS, log: say, onStored, placements: new TaskPlacements(new JetStreamEventLog(deps.nc)), ...opts.router },
            );
          },
        },
        { provide: ResourceSampleSink, useFactory: () => new ResourceSampleSink(deps.nc, (rows) => insertMetricSamples(db, rows), { log: say }) },
        {
          provide: LogRetention,
          useFactory: () =>
            new LogRetention(
              async (before) => {
                await deleteExpiredLogs(db, before);
                await deleteExpiredSamples(db, before);
              },
              { retentionMs: opts.retentionMs ?? 30 * 86_400_000, everyMs: opts.retentionEveryMs ?? 3_600_000, log: say },
            ),
        },
        LogRouterParts,
      ],
    };
  }
}
