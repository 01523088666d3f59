import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Streams } from '@trainyard/contracts';
import { JetStreamDeadLetters } from '@trainyard/quarantine';
import {
  DEFAULT_PROJECTION, jobGauges, listDashboardEvents, listQueueWaits, openDeadLettersByConsumer, readCheckpoint, readLogCheckpoint, readMetricSamples, requestedCards,
  type DashboardEventRow, type DatabaseHandle, type MetricSampleRow,
} from '@trainyard/db';

/** Injection token of {@link ApiMetricsPort}. */
export const API_METRICS = Symbol('ApiMetricsPort');

/** What `/metrics`, the job metric series and the dashboard read. */
export interface ApiMetricsPort {
  samples(q: { jobId: string; from: Date; to: Date; task?: string }): Promise<MetricSampleRow[]>;
  dashboardEvents(q: { from: Date; to: Date }): Promise<DashboardEventRow[]>;
  jobGauges(): ReturnType<typeof jobGauges>;
  queueWaits(): ReturnType<typeof listQueueWaits>;
  /** Accelerator cards the running jobs request (dashboard overview). */
  requestedCards(): ReturnType<typeof requestedCards>;
  /** Consumer lag: pending messages per durable consumer, and how far the projection and the log router trail their streams. */
  lag(): Promise<{ consumers: Array<{ stream: string; consumer: string; pending: number }>; projection: number; logRouter: number }>;
  /** Open dead letters per consumer, in the database and in TY_DEAD_LETTERS. */
  deadLetters(): Promise<Array<{ consumer: string; count: number }>>;
}

/** {@link ApiMetricsPort} over the read-model database and JetStream. */
export function dbApiMetrics(handle: Pick<DatabaseHandle, 'db'>, nc: NatsConnection): ApiMetricsPort {
  const db = handle.db;
  const stream = new JetStreamDeadLetters(nc);
  return {
    samples: (q) => readMetricSamples(db, q),
    dashboardEvents: (q) => listDashboardEvents(db, q),
    jobGauges: () => jobGauges(db),
    queueWaits: () => listQueueWaits(db),
    requestedCards: () => requestedCards(db),
    async lag() {
      const jsm = await jetstreamManager(nc);
      const consumers: Array<{ stream: string; consumer: string; pending: number }> = [];
      const last: Record<string, number> = {};
      for (const stream of [Streams.events, Streams.logs]) {
        last[stream] = (await jsm.streams.info(stream)).state.last_seq;
        for await (const c of jsm.consumers.list(stream)) {
          // Ordered (ephemeral) consumers come and go with every subscription: durable ones only.
          if (c.config.durable_name) consumers.push({ stream, consumer: c.name, pending: c.num_pending + c.num_ack_pending });
        }
      }
      const projection = Math.max(0, last[Streams.events] - (await readCheckpoint(db, DEFAULT_PROJECTION)));
      const logRouter = Math.max(0, last[Streams.logs] - (await readLogCheckpoint(db, 'log-router')));
      return { consumers, projection, logRouter };
    },
    async deadLetters() {
      const counts = new Map((await openDeadLettersByConsumer(db)).map((c) => [c.consumer, c.count]));
      for (const l of await stream.list(1000)) counts.set(l.consumer, (counts.get(l.consumer) ?? 0) + 1);
      return [...counts].map(([consumer, count]) => ({ consumer, count }));
    },
  };
}
