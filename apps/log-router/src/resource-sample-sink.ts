import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodeResourceSample, Subjects } from '@trainyard/contracts';
import type { MetricSampleRow } from '@trainyard/db';

/**
 * Stores the agents' resource samples (`ty.metrics.<node>`, plain NATS) for the API's metric series.
 * Routers share the subject as a queue group, so each sample is stored once; samples are written in
 * batches every `flushMs`. Plain NATS loses samples during an outage: metrics tolerate gaps.
 */
export class ResourceSampleSink {
  private sub?: Subscription;
  private pending: MetricSampleRow[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly nc: NatsConnection,
    private readonly insert: (rows: MetricSampleRow[]) => Promise<void>,
    private readonly options: { flushMs?: number; log?: (msg: string) => void } = {},
  ) {}

  start(): this {
    this.sub = this.nc.subscribe(Subjects.metricsAll, {
      queue: 'log-router',
      callback: (err, msg) => {
        if (err) return;
        let raw: unknown;
        try {
          raw = msg.json();
        } catch {
          return;
        }
        const s = decodeResourceSample(raw);
        if (!s) return this.options.log?.(`dropping a malformed resource sample on ${msg.subject}`);
        for (const t of s.tasks) {
          this.pending.push({ jobId: t.jobId, task: t.task, attempt: t.attempt, nodeId: s.nodeId, ts: s.time, values: t.values as Record<string, number> });
        }
      },
    });
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 1000);
    return this;
  }

  /** Writes what has arrived; resolves when written (errors are logged, the rows dropped). */
  flush(): Promise<void> {
    const rows = this.pending.splice(0);
    if (rows.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.insert(rows).catch((err) => this.options.log?.(`storing ${rows.length} resource samples failed: ${(err as Error).message}`)),
    );
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.sub?.unsubscribe();
    await this.flush();
  }
}
