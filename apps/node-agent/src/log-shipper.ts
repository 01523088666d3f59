import { type LogBatch, logBatchMsgId, storableText, Subjects } from '@trainyard/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { LineText } from './line-splitter';
import type { SealedBatch, SpoolFile, LogSpool } from './log-spool';
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
  /** The node shipping the lines: the last token of their subject (`Subjects.log`). */
  nodeId: string;
  /** When a line was read; default the system clock. */
  now?: () => Date;
  /** A partial batch waits at most this long. Default 50 ms. */
  flushIntervalMs?: number;
  /** Lines per message. Default 8192. */
  maxLines?: number;
  /** Text characters per message; a longer line travels in pieces of this size. Default 384 KiB. */
  maxBytes?: number;
  /** NATS max payload: a batch whose JSON outgrows it (escapes) is halved. Default 1 MiB. */
  maxPayload?: number;
  /** Sealed bytes kept in memory; beyond, batches go to the spool (or the task waits). Default 16 MiB. */
  memoryBytes?: number;
  /** Disk buffer shared by the agent's shippers; without one the task waits once memory is full. */
  spool?: LogSpool;
  /** First delay before resending a batch whose publish failed; doubles up to 2 s. Default 100 ms. */
  retryDelayMs?: number;
  onError?: (err: unknown) => void;
  /** Called with each batch once stored (metrics). */
  onStored?: (lines: number, bytes: number) => void;
  /** Number of the first line; default 1. A process restarted in place continues its attempt's numbering. */
  firstSeq?: number;
}

interface OpenBatch {
  firstSeq: number;
  t0: number;
  dt: number[];
  err: number[];
  lines: string[];
  raw?: Record<string, string>;
  chars: number;
}

interface Queued extends SealedBatch {
  lines: number;
}

/**
 * Ships one task attempt's output to `ty.log.<jobId>.<task>.<nodeId>` on TY_LOGS (wire format `LogBatch`).
 * Lines are numbered from 1, batched (every `flushIntervalMs`, `maxLines` or `maxBytes`), and sent
 * one message at a time so they are stored in order; each sealed batch is resent as is until acked.
 * A backlog beyond `memoryBytes` (NATS unreachable) goes to the agent's disk spool and is sent, in
 * order, once NATS is back; only when the spool is full too does `push` ask the task to wait.
 * `close()` sends the rest marked `eof` and resolves once every line is stored: the agent awaits it
 * before reporting the task's exit.
 */
export class LogShipper {
  private readonly o: Required<Omit<LogShipperOptions, 'onError' | 'onStored' | 'spool' | 'firstSeq'>> & Pick<LogShipperOptions, 'onError' | 'onStored' | 'spool'>;
  private readonly subject: string;
  private open?: OpenBatch;
  /** Oldest sealed batches, in memory. */
  private head: Queued[] = [];
  /** Batches sealed while older ones sit in the spool: they go after it. */
  private tail: Queued[] = [];
  private memBytes = 0;
  /** A batch had to stay in memory beyond the budget (no spool, or it is full): the task must wait. */
  private pressed = false;
  private spoolFile?: SpoolFile;
  private nextSeq = 1;
  private ackedSeq = 0;
  private timer?: NodeJS.Timeout;
  private sending = false;
  private ended = false;
  private abandoned = false;
  private waiters: Array<{ seq: number; eof: boolean; resolve: () => void; reject: (e: Error) => void }> = [];
  private roomWaiters: Array<() => void> = [];

  constructor(options: LogShipperOptions) {
    this.o = {
      now: () => new Date(),
      flushIntervalMs: 50,
      maxLines: 8192,
      maxBytes: 384 * 1024,
      maxPayload: 1024 * 1024,
      memoryBytes: 16 * 1024 * 1024,
      retryDelayMs: 100,
      ...options,
    };
    this.subject = Subjects.log(options.jobId, options.task, options.nodeId);
    this.nextSeq = options.firstSeq ?? 1;
    this.ackedSeq = this.nextSeq - 1;
  }

  /** Lines pushed so far (the last `seq` handed out). */
  get lineCount(): number {
    return this.nextSeq - 1;
  }

  /** Lines not yet stored. */
  get backlog(): number {
    return this.nextSeq - 1 - this.ackedSeq;
  }

  /**
   * Queues a line. Returns a promise only when memory and spool are both full: the runtime then
   * pauses the task's output until it settles.
   */
  push(stream: OutputStream, text: LineText): void | Promise<void> {
    if (this.ended) return;
    const seq = this.nextSeq++;
    const t = this.o.now().getTime();
    if (text.length > this.o.maxBytes) {
      this.seal();
      this.sealPieces(seq, t, stream, typeof text === 'string' ? Buffer.from(text) : Buffer.from(text.buffer, text.byteOffset, text.length));
    } else {
      const chars = text.length + 8;
      if (this.open && this.open.chars + chars > this.o.maxBytes) this.seal();
      const b = (this.open ??= { firstSeq: seq, t0: t, dt: [], err: [], lines: [], chars: 0 });
      const i = b.lines.length;
      if (typeof text === 'string') b.lines.push(storableText(text));
      else {
        const bytes = Buffer.from(text.buffer, text.byteOffset, text.length);
        b.lines.push(bytes.toString('utf8').replaceAll('\0', '\uFFFD'));
        (b.raw ??= {})[i] = bytes.toString('base64');
      }
      b.dt.push(Math.max(0, t - b.t0));
      if (stream === 'stderr') b.err.push(i);
      b.chars += chars;
      if (b.lines.length >= this.o.maxLines) this.seal();
      else this.arm();
    }
    this.pump();
    if (this.pressed) return new Promise((r) => this.roomWaiters.push(r));
  }

  /** Resolves once every line pushed before the call is stored; rejects if the shipper is abandoned. */
  flush(): Promise<void> {
    this.seal();
    this.pump();
    return this.until(this.nextSeq - 1);
  }

  /**
   * Ends the attempt's log: sends what is left with `eof` (an empty batch if nothing is left) and
   * resolves once all of it is stored. Later pushes are ignored.
   */
  close(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.open ??= { firstSeq: this.nextSeq, t0: this.o.now().getTime(), dt: [], err: [], lines: [], chars: 0 };
      this.seal(true);
      this.pump();
    }
    return this.until(this.nextSeq - 1, true);
  }

  /**
   * Stops shipping and rejects pending `flush()` calls. Lines not yet stored stay on disk when there
   * is a spool (sent at the agent's next start), else they are dropped. For agent shutdown; a task's
   * normal end uses `close()`.
   */
  abandon(): void {
    if (this.abandoned) return;
    this.seal();
    this.ended = true;
    this.abandoned = true;
    clearTimeout(this.timer);
    // With a spool, what is still in memory goes to disk around the spool file, so the agent's next
    // start sends all of it in order (drainLeftovers); without one it is lost.
    const key = `${this.o.jobId}.${this.o.task}.${this.o.attempt}`;
    this.o.spool?.persist(`${key}.0`, this.head);
    this.o.spool?.persist(`${key}.~`, this.tail);
    const err = new Error(`log shipping for ${this.subject} abandoned with ${this.backlog} lines unstored`);
    for (const w of this.waiters.splice(0)) w.reject(err);
    for (const r of this.roomWaiters.splice(0)) r();
  }

  private eofAcked = false;

  private until(seq: number, eof = false): Promise<void> {
    if (this.reached(seq, eof)) return Promise.resolve();
    if (this.abandoned) return Promise.reject(new Error(`log shipping for ${this.subject} was abandoned`));
    return new Promise((resolve, reject) => this.waiters.push({ seq, eof, resolve, reject }));
  }

  private reached(seq: number, eof: boolean): boolean {
    return this.ackedSeq >= seq && (!eof || this.eofAcked);
  }

  private arm(): void {
    if (this.timer || !this.open) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.seal();
      this.pump();
    }, this.o.flushIntervalMs);
  }

  /** Turns the open batch into one or more messages (halved until each fits the payload limit). */
  private seal(eof = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const b = this.open;
    this.open = undefined;
    if (!b) return;
    const parts = [b];
    while (parts.length) {
      const p = parts.shift()!;
      const batch: LogBatch = {
        v: 2, jobId: this.o.jobId, task: this.o.task, attempt: this.o.attempt, firstSeq: p.firstSeq, t0: p.t0,
        dt: p.dt, lines: p.lines,
        ...(p.err.length ? { err: p.err } : {}),
        ...(p.raw ? { raw: p.raw } : {}),
        ...(eof && parts.length === 0 ? { eof: true as const } : {}),
      };
      const body = Buffer.from(JSON.stringify(batch));
      if (body.length > this.o.maxPayload && p.lines.length > 1) {
        parts.unshift(...halve(p));
        continue;
      }
      this.enqueue({ subject: this.subject, msgId: logBatchMsgId(batch), lastSeq: p.firstSeq + p.lines.length - 1, eof: batch.eof, body, lines: p.lines.length });
    }
  }

  /** A line longer than `maxBytes`: its bytes in order, one message per piece, joined by the router. */
  private sealPieces(seq: number, t: number, stream: OutputStream, bytes: Buffer): void {
    const size = Math.floor((this.o.maxBytes * 3) / 4);
    for (let index = 0, at = 0; at < bytes.length || index === 0; index++, at += size) {
      const last = at + size >= bytes.length;
      const batch: LogBatch = {
        v: 2, jobId: this.o.jobId, task: this.o.task, attempt: this.o.attempt, firstSeq: seq, t0: t, dt: [], lines: [],
        piece: { index, last, data: bytes.subarray(at, at + size).toString('base64'), ...(stream === 'stderr' ? { stream: 'stderr' as const } : {}) },
      };
      this.enqueue({ subject: this.subject, msgId: logBatchMsgId(batch), lastSeq: last ? seq : seq - 1, body: Buffer.from(JSON.stringify(batch)), lines: last ? 1 : 0 });
    }
  }

  /** Once the spool is empty, what waited behind it is the head. */
  private settle(): void {
    if (this.tail.length && !(this.spoolFile && this.spoolFile.count > 0)) {
      this.head.push(...this.tail);
      this.tail = [];
    }
  }

  /** Order: head (memory) → spool (disk) → tail (memory). */
  private enqueue(q: Queued): void {
    this.settle();
    const spooling = (this.spoolFile?.count ?? 0) > 0;
    if (spooling || this.memBytes > this.o.memoryBytes) {
      if (this.tail.length === 0 && this.o.spool) {
        this.spoolFile ??= this.o.spool.file(`${this.o.jobId}.${this.o.task}.${this.o.attempt}`);
        if (this.spoolFile.append(q)) return;
      }
      this.pressed = this.memBytes > this.o.memoryBytes;
      if (spooling || this.tail.length) {
        this.tail.push(q);
        this.memBytes += q.body.length;
        return;
      }
    }
    this.head.push(q);
    this.memBytes += q.body.length;
  }

  private async next(): Promise<{ q: SealedBatch; from: 'head' | 'spool' } | undefined> {
    this.settle();
    if (this.head.length) return { q: this.head[0], from: 'head' };
    if (this.spoolFile && this.spoolFile.count > 0) {
      const q = await this.spoolFile.peek();
      if (q) return { q, from: 'spool' };
    }
    return undefined;
  }

  /** One batch in flight at a time keeps the stream in seq order without relying on pipelining. */
  private pump(): void {
    if (this.sending || this.abandoned) return;
    this.sending = true;
    void (async () => {
      try {
        for (;;) {
          const n = await this.next();
          if (!n || this.abandoned) return;
          for (let attempt = 0; !this.abandoned; attempt++) {
            try {
              await this.o.publish(n.q.subject, n.q.body, n.q.msgId);
              break;
            } catch (err) {
              this.o.onError?.(err);
              await new Promise((r) => setTimeout(r, Math.min(2000, this.o.retryDelayMs * 2 ** attempt)));
            }
          }
          if (this.abandoned) return;
          if (n.from === 'head') {
            this.head.shift();
            this.memBytes -= n.q.body.length;
          } else await this.spoolFile!.drop();
          this.acked(n.q);
        }
      } finally {
        this.sending = false;
        // Work sealed while the last lap was finding the queue empty.
        if (!this.abandoned && (this.head.length || this.tail.length || (this.spoolFile?.count ?? 0) > 0)) this.pump();
      }
    })();
  }

  private acked(q: SealedBatch): void {
    if (q.lastSeq > this.ackedSeq) this.o.onStored?.(q.lastSeq - this.ackedSeq, q.body.length);
    this.ackedSeq = Math.max(this.ackedSeq, q.lastSeq);
    if (q.eof) this.eofAcked = true;
    this.waiters = this.waiters.filter((w) => (this.reached(w.seq, w.eof) ? (w.resolve(), false) : true));
    if (this.pressed && this.memBytes <= this.o.memoryBytes / 2) {
      this.pressed = false;
      for (const r of this.roomWaiters.splice(0)) r();
    }
  }
}

function halve(b: OpenBatch): OpenBatch[] {
  const mid = Math.ceil(b.lines.length / 2);
  const part = (from: number, to: number): OpenBatch => {
    const t0 = b.t0 + b.dt[from];
    const raw = b.raw && Object.fromEntries(Object.entries(b.raw).filter(([k]) => +k >= from && +k < to).map(([k, v]) => [String(+k - from), v]));
    return {
      firstSeq: b.firstSeq + from,
      t0,
      dt: b.dt.slice(from, to).map((d) => d - b.dt[from]),
      err: b.err.filter((i) => i >= from && i < to).map((i) => i - from),
      lines: b.lines.slice(from, to),
      ...(raw && Object.keys(raw).length ? { raw } : {}),
      chars: 0,
    };
  };
  return [part(0, mid), part(mid, b.lines.length)];
}
