import { Subjects } from '@trainyard/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import { type LogBatch, type LogLine, logBatchMsgId } from './log-line';
import type { OutputStream } from './task-runtime';

/** Stores one message; resolves on the stream's ack. Throws when it may not be stored (then it is resent). */
export type LogPublish = (subject: string, body: Uint8Array, msgId: string) => Promise<void>;

/** A `LogPublish` over JetStream: `Nats-Msg-Id` makes a resend after a lost ack harmless. */
export function jetStreamLogPublish(js: JetStreamClient, timeoutMs = 5000): LogPublish {
  return async (subject, body, msgId) => {
    await js.publish(subject, body, { msgID: msgId, timeout: timeoutMs });
  };
}

export interface LogShipperOptions {
  publish: LogPublish;
  jobId: string;
  task: string;
  attempt: number;
  now?: () => Date;
  /** A partial batch waits at most this long. Default 50 ms. */
  flushIntervalMs?: number;
  /** Lines per message. Default 500. */
  maxLines?: number;
  /** Text bytes per message, well under NATS's 1 MiB max payload. Default 256 KiB. */
  maxBytes?: number;
  /** Unacked lines above which `push` asks the task to wait (back-pressure). Default 20 000. */
  highWaterLines?: number;
  /** First delay before resending a batch whose publish failed; doubles up to 2 s. Default 100 ms. */
  retryDelayMs?: number;
  onError?: (err: unknown) => void;
}

/**
 * Ships one task attempt's output to `ty.log.<jobId>.<task>` on TY_LOGS. Lines are numbered from 1,
 * batched (every `flushIntervalMs` or `maxLines`), published one message at a time so they are
 * stored in order, and each batch is resent as is until acked. `flush()` resolves once every line
 * pushed so far is stored: the agent awaits it before reporting the task's exit.
 */
export class LogShipper {
  private readonly o: Required<Omit<LogShipperOptions, 'onError'>> & Pick<LogShipperOptions, 'onError'>;
  private readonly subject: string;
  private pending: LogLine[] = [];
  private nextSeq = 1;
  private ackedSeq = 0;
  private oldestAt = 0;
  private timer?: NodeJS.Timeout;
  private sending = false;
  private closed = false;
  private waiters: Array<{ seq: number; resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(options: LogShipperOptions) {
    this.o = {
      now: () => new Date(),
      flushIntervalMs: 50,
      maxLines: 500,
      maxBytes: 256 * 1024,
      highWaterLines: 20_000,
      retryDelayMs: 100,
      ...options,
    };
    this.subject = Subjects.log(options.jobId, options.task);
  }

  /** Lines pushed so far (the last `seq` handed out). */
  get lineCount(): number {
    return this.nextSeq - 1;
  }

  /**
   * Queues a line. Returns a promise only when too many lines await storage: the runtime then
   * pauses the task's output until it settles.
   */
  push(stream: OutputStream, text: string): void | Promise<void> {
    if (this.closed) return;
    if (this.pending.length === 0) this.oldestAt = Date.now();
    this.pending.push({ seq: this.nextSeq++, ts: this.o.now().toISOString(), stream, text });
    this.schedule();
    if (this.nextSeq - 1 - this.ackedSeq > this.o.highWaterLines) return this.until(this.nextSeq - 1 - this.o.highWaterLines / 2);
  }

  /** Resolves once every line pushed before the call is stored; rejects if the shipper is abandoned. */
  flush(): Promise<void> {
    const target = this.nextSeq - 1;
    if (this.pending.length > 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.send();
    }
    return this.until(target);
  }

  /**
   * Stops shipping: lines not yet stored are dropped and pending `flush()` calls reject. For agent
   * shutdown; a task's normal end uses `flush()`.
   */
  abandon(): void {
    this.closed = true;
    clearTimeout(this.timer);
    const err = new Error(`log shipping for ${this.subject} abandoned with ${this.nextSeq - 1 - this.ackedSeq} lines unstored`);
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private until(seq: number): Promise<void> {
    if (this.ackedSeq >= seq) return Promise.resolve();
    if (this.closed) return Promise.reject(new Error(`log shipping for ${this.subject} was abandoned`));
    return new Promise((resolve, reject) => this.waiters.push({ seq, resolve, reject }));
  }

  private schedule(): void {
    if (this.sending || this.closed) return;
    if (this.pending.length >= this.o.maxLines) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.send();
    } else if (!this.timer && this.pending.length > 0) {
      const wait = Math.max(0, this.o.flushIntervalMs - (Date.now() - this.oldestAt));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.send();
      }, wait);
    }
  }

  /** One batch in flight at a time keeps the stream in seq order without relying on pipelining. */
  private async send(): Promise<void> {
    if (this.sending || this.closed || this.pending.length === 0) return;
    this.sending = true;
    try {
      const lines = this.takeBatch();
      const batch: LogBatch = { jobId: this.o.jobId, task: this.o.task, attempt: this.o.attempt, lines };
      const body = new TextEncoder().encode(JSON.stringify(batch));
      const msgId = logBatchMsgId(batch, lines[0].seq);
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          await this.o.publish(this.subject, body, msgId);
          this.acked(lines.at(-1)!.seq);
          break;
        } catch (err) {
          this.o.onError?.(err);
          await new Promise((r) => setTimeout(r, Math.min(2000, this.o.retryDelayMs * 2 ** attempt)));
        }
      }
    } finally {
      this.sending = false;
    }
    if (this.pending.length === 0) return;
    // Someone awaits these lines (a flush, or a paused task): no reason to wait for the timer.
    if (this.waiters.length > 0) void this.send();
    else this.schedule();
  }

  private takeBatch(): LogLine[] {
    let bytes = 0;
    let n = 0;
    while (n < this.pending.length && n < this.o.maxLines) {
      bytes += Buffer.byteLength(this.pending[n].text) + 64;
      if (n > 0 && bytes > this.o.maxBytes) break;
      n++;
    }
    const batch = this.pending.splice(0, n);
    if (this.pending.length > 0) this.oldestAt = Date.now();
    return batch;
  }

  private acked(seq: number): void {
    this.ackedSeq = seq;
    this.waiters = this.waiters.filter((w) => (w.seq <= seq ? (w.resolve(), false) : true));
  }
}
