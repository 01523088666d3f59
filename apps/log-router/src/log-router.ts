import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { Streams, Subjects } from '@trainyard/contracts';
import { decodeLogBatch, rowsOf, type LogRow } from './log-batch';

/** Where the router keeps lines; `appendLogLines` must be idempotent (a redelivered batch is stored once). */
export interface LogStore {
  appendLogLines(rows: LogRow[]): Promise<void>;
}

export interface LogRouterOptions {
  durable: string;
  /** Messages fetched and stored per transaction. */
  batch: number;
  log?: (msg: string) => void;
}

export const DEFAULT_LOG_ROUTER_OPTIONS: LogRouterOptions = { durable: 'log-router', batch: 256 };

/**
 * Moves task output from `TY_LOGS` into the store. A fetched batch of messages is stored in one call
 * and acknowledged only after it is stored, so a router killed at any point loses nothing (the
 * unacknowledged messages come again, and the store ignores lines it already has). A failed store is
 * retried with the same batch before anything newer, so each task's lines land in order.
 */
export class LogRouter {
  private stopping = false;
  private done?: Promise<void>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: LogStore,
    private readonly options: LogRouterOptions = DEFAULT_LOG_ROUTER_OPTIONS,
  ) {}

  async start(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const config = {
      durable_name: this.options.durable,
      filter_subject: Subjects.logsAll,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(60_000),
      max_ack_pending: 10_000,
    };
    try {
      await jsm.consumers.add(Streams.logs, config);
    } catch (err) {
      if (!/already (exists|in use)/i.test((err as Error).message)) throw err;
    }
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
  }

  private async run(): Promise<void> {
    const js = jetstream(this.nc);
    while (!this.stopping) {
      try {
        const consumer = await js.consumers.get(Streams.logs, this.options.durable);
        while (!this.stopping) {
          const iter = await consumer.fetch({ max_messages: this.options.batch, expires: 1_000 });
          const msgs: JsMsg[] = [];
          for await (const m of iter) msgs.push(m);
          if (msgs.length) await this.storeThenAck(msgs);
        }
      } catch (err) {
        if (this.stopping) break;
        this.say(`log consumer interrupted, retrying: ${(err as Error).message}`);
        await sleep(500);
      }
    }
  }

  private async storeThenAck(msgs: JsMsg[]): Promise<void> {
    const rows: LogRow[] = [];
    for (const m of msgs) {
      const batch = decodeLogBatch(m.data);
      if (batch) rows.push(...rowsOf(batch));
      else this.say(`dropping malformed log message ${m.seq} on ${m.subject}`);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        if (rows.length) await this.store.appendLogLines(rows);
        break;
      } catch (err) {
        // Keep the lines in hand and try again; nothing later is stored first, so order holds.
        this.say(`storing ${rows.length} log lines failed (${(err as Error).message}), retrying`);
        if (this.stopping) return;
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
        for (const m of msgs) m.working();
      }
    }
    for (const m of msgs) m.ack();
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[log-router] ${m}`)))(msg);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
