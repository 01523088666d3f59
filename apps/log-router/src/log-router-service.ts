import type { NatsConnection } from '@nats-io/transport-node';
import {
  deleteExpiredLogs, deleteExpiredSamples, insertMetricSamples, quarantineLogMessage, readLogCheckpoint, storeLogWrite, type DatabaseHandle,
} from '@trainyard/db';
import { logRouterMetrics } from '@trainyard/telemetry';
import { DEFAULT_LOG_ROUTER_OPTIONS, LogRouter, type LogRouterOptions } from './log-router';
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

export interface LogRouterService {
  router: LogRouter;
  samples: ResourceSampleSink;
  retention: LogRetention;
  stop(): Promise<void>;
}

/** The log router's three jobs on one database: store TY_LOGS, store resource samples, apply retention. */
export async function startLogRouterService(nc: NatsConnection, database: DatabaseHandle, opts: LogRouterServiceOptions = {}): Promise<LogRouterService> {
  const db = database.db;
  const log = opts.log ?? ((m: string) => console.error(`[log-router] ${m}`));
  const metrics = logRouterMetrics();
  const onStored: LogRouterOptions['onStored'] = (s) => {
    metrics.linesStored.inc(s.lines);
    metrics.messagesStored.inc(s.messages);
    metrics.storeSeconds.observe(s.ms / 1000);
    metrics.checkpoint.set(s.streamSeq);
  };
  const router = new LogRouter(
    nc,
    { checkpoint: (name) => readLogCheckpoint(db, name), write: (w) => storeLogWrite(db, w), quarantine: (name, letter) => quarantineLogMessage(db, name, letter) },
    { ...DEFAULT_LOG_ROUTER_OPTIONS, log, onStored, ...opts.router },
  );
  await router.start();
  const samples = new ResourceSampleSink(nc, (rows) => insertMetricSamples(db, rows), { log }).start();
  const retention = new LogRetention(
    async (before) => {
      await deleteExpiredLogs(db, before);
      await deleteExpiredSamples(db, before);
    },
    { retentionMs: opts.retentionMs ?? 30 * 86_400_000, everyMs: opts.retentionEveryMs ?? 3_600_000, log },
  ).start();
  return {
    router,
    samples,
    retention,
    async stop() {
      await retention.stop();
      await samples.stop();
      await router.stop();
    },
  };
}
