import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { type LogStoredNotice, Streams, Subjects } from '@trainyard/contracts';
import type { LogWrite, StoredAttempt } from '@trainyard/db';
import { STREAM_MISSING_HINT, StreamMissing, toEventLogError } from '@trainyard/event-log';
import { LogWriteBuilder } from './log-write-builder';

/** Where the router keeps lines: one transaction stores a write and its checkpoint (`storeLogWrite`). */
export interface LogStore {
  /** The last TY_LOGS stream sequence stored under `name` (0 before the first). */
  checkpoint(name: string): Promise<number>;
  write(w: LogWrite): Promise<StoredAttempt[]>;
}

export interface LogRouterOptions {
  /** Name of the router's checkpoint. Default `log-router`. */
  name: string;
  /** Most messages stored per transaction. Default 500. */
  batch: number;
  log?: (msg: string) => void;
  /** After each stored write (metrics). */
  onStored?: (s: { messages: number; lines: number; ms: number; streamSeq: number }) => void;
}

export const DEFAULT_LOG_ROUTER_OPTIONS: LogRouterOptions = { name: 'log-router', batch: 500 };

const TICK = Symbol('tick');
const nextTick = () => new Promise<typeof TICK>((r) => setImmediate(() => r(TICK)));

/**
 * Moves task output from `TY_LOGS` into the store. It reads the stream in order with an ordered
 * consumer starting after its checkpoint, and stores whatever has arrived (up to `batch` messages)
 * together with the new checkpoint in one transaction: its acknowledgement is that checkpoint, so a
 * router killed at any point resumes exactly after what it stored — nothing lost, nothing twice,
 * every task's lines in order. A failed store is retried with the same messages before anything
 * newer. After each store it sends `ty.logstored.<job>.<task>` so live follows read at once.
 *
 * One router is active per stream (like the scheduler, decision 7); a second one would store the
 * same chunks again, harmlessly, but for nothing.
 */
export class LogRouter {
  private stopping = false;
  private done?: Promise<void>;
  private stopCurrent?: () => void;
  private streamMissing = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: LogStore,
    private readonly options: LogRouterOptions = DEFAULT_LOG_ROUTER_OPTIONS,
  ) {}

  async start(): Promise<void> {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopCurrent?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const js = jetstream(this.nc);
    while (!this.stopping) {
      try {
        const from = (await this.store.checkpoint(this.options.name)) + 1;
        // TY_LOGS holds only ty.log.>: no filter (a filter would need nats-server 2.10 for ordered consumers).
        const consumer = await js.consumers.get(Streams.logs, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: from,
        });
        const messages = await consumer.consume({ max_messages: Math.max(1000, this.options.batch * 2) });
        if (this.streamMissing) this.say(`stream ${Streams.logs} is back`);
        this.streamMissing = false;
        this.stopCurrent = () => void messages.stop();
        if (this.stopping) messages.stop();
        const it = messages[Symbol.asyncIterator]();
        let pending: Promise<IteratorResult<JsMsg>> | undefined;
        while (!this.stopping) {
          const first = await (pending ?? it.next());
          pending = undefined;
          if (first.done) break;
          const group = [first.value];
          // Everything already buffered goes in the same transaction; never wait for more.
          while (group.length < this.options.batch) {
            pending = it.next();
            const r = await Promise.race([pending, nextTick()]);
            if (r === TICK) break;
            pending = undefined;
            if (r.done) break;
            group.push(r.value);
          }
          await this.storeGroup(group);
        }
        messages.stop();
      } catch (err) {
        if (this.stopping) break;
        if (toEventLogError(err, `read ${Streams.logs}`) instanceof StreamMissing) {
          // An outage until someone restores the store: said once, never "fixed" by recreating it.
          if (!this.streamMissing) this.say(`stream ${Streams.logs} is missing: ${STREAM_MISSING_HINT}; waiting for it`);
          this.streamMissing = true;
          await sleep(2_000);
          continue;
        }
        this.say(`log consumer interrupted, resuming from the checkpoint: ${(err as Error).message}`);
        await sleep(500);
      }
    }
  }

  private async storeGroup(msgs: JsMsg[]): Promise<void> {
    const started = performance.now();
    const builder = new LogWriteBuilder(this.options.name);
    for (const m of msgs) builder.add(m.seq, m.data);
    for (const seq of builder.malformed) this.say(`dropping malformed log message ${seq}`);
    let stored: StoredAttempt[] = [];
    for (let attempt = 0; ; attempt++) {
      try {
        stored = await this.store.write(builder.build());
        break;
      } catch (err) {
        // Keep the messages in hand and try again; nothing later is stored first, so order holds.
        if (this.stopping) throw err;
        this.say(`storing ${msgs.length} log messages failed (${(err as Error).message}), retrying`);
        await sleep(Math.min(5_000, 100 * 2 ** attempt));
      }
    }
    for (const s of stored) {
      const notice: LogStoredNotice = { attempt: s.attempt, lastSeq: s.lastSeq, eof: s.eof };
      try {
        this.nc.publish(Subjects.logStored(s.jobId, s.task), JSON.stringify(notice));
      } catch {
        // Best effort: followers also poll.
      }
    }
    this.options.onStored?.({ messages: msgs.length, lines: builder.lines, ms: performance.now() - started, streamSeq: msgs.at(-1)!.seq });
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[log-router] ${m}`)))(msg);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
