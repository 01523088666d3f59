import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** One sealed TY_LOGS message, ready to publish as is (resends reuse it byte for byte). */
export interface SealedBatch {
  subject: string;
  msgId: string;
  /** Highest seq it carries (a piece before the last: the seq before its line's). */
  lastSeq: number;
  /** It is the attempt's last batch. */
  eof?: boolean;
  body: Uint8Array;
}

export interface LogSpoolOptions {
  /** Directory of the spool files, one per task attempt. Created on demand. */
  dir: string;
  /** Bytes all spool files of this agent may hold together; beyond, tasks wait (back-pressure). */
  maxBytes: number;
}

/**
 * The node agent's disk buffer for log batches that cannot be published now (NATS unreachable, or a
 * backlog beyond the shipper's memory budget). One append-only file per task attempt, read back in
 * order; a file is deleted once every batch in it is stored. Bounded by `maxBytes` across the agent.
 *
 * Record format: `u32 metaLength | meta JSON {subject,msgId,lastSeq,eof} | u32 bodyLength | body`.
 * Files left by an agent that died are sent by {@link LogSpool.drainLeftovers} at the next start;
 * resending a batch that was stored already is harmless (msg id, and the store ignores repeats).
 */
export class LogSpool {
  private used = 0;
  private readonly open = new Map<string, SpoolFile>();

  constructor(readonly options: LogSpoolOptions) {}

  /** Bytes held on disk now. */
  get bytes(): number {
    return this.used;
  }

  /** The spool file of one task attempt (`key` must be a safe file name). */
  file(key: string): SpoolFile {
    let f = this.open.get(key);
    if (!f) {
      f = new SpoolFile(this, join(this.options.dir, `${key}.spool`), () => this.open.delete(key));
      this.open.set(key, f);
    }
    return f;
  }

  /** Reserves room for `n` bytes; false when the budget is spent. */
  reserve(n: number): boolean {
    if (this.used + n > this.options.maxBytes) return false;
    this.used += n;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  /**
   * Writes batches to `<name>.spool` at once, outside the budget: an abandoned shipper's memory, kept
   * for the next start. Names sort so that `<key>.0` goes before the attempt's spool and `<key>.~` after.
   */
  persist(name: string, batches: readonly SealedBatch[]): void {
    if (batches.length === 0) return;
    mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(this.options.dir, `${name}.spool`), Buffer.concat(batches.map(encodeRecord)));
  }

  /**
   * Publishes every batch in spool files no live shipper owns (an earlier run's), in file order, and
   * deletes each file once it is sent. Returns the number of batches sent.
   */
  async drainLeftovers(publish: (b: SealedBatch) => Promise<void>): Promise<number> {
    const names = await readdir(this.options.dir).catch(() => [] as string[]);
    let sent = 0;
    for (const name of names.filter((n) => n.endsWith('.spool')).sort()) {
      if (this.open.has(name.slice(0, -'.spool'.length))) continue;
      const path = join(this.options.dir, name);
      const fh = await open(path, 'r');
      try {
        for (let at = 0; ; ) {
          const rec = await readRecord(fh, at);
          if (!rec) break;
          await publish(rec.batch);
          at = rec.next;
          sent++;
        }
      } finally {
        await fh.close();
      }
      await rm(path, { force: true });
    }
    return sent;
  }
}

/**
 * One task attempt's spool: FIFO of sealed batches on disk. Appends and reads are serialised, so a
 * read sees every append made before it.
 */
export class SpoolFile {
  private chain: Promise<unknown> = Promise.resolve();
  private writer?: FileHandle;
  private reader?: FileHandle;
  private readAt = 0;
  private written = 0;
  /** Batches appended and not yet taken. */
  count = 0;

  constructor(
    private readonly spool: LogSpool,
    readonly path: string,
    private readonly forget: () => void,
  ) {}

  /** Appends a batch; false (and nothing written) when the agent's spool budget is spent. */
  append(b: SealedBatch): boolean {
    const rec = encodeRecord(b);
    if (!this.spool.reserve(rec.length)) return false;
    this.count++;
    this.serial(async () => {
      if (!this.writer) {
        await mkdir(this.spool.options.dir, { recursive: true, mode: 0o700 });
        this.writer = await open(this.path, 'a');
      }
      await this.writer.write(rec, 0, rec.length, null);
      this.written += rec.length;
    });
    return true;
  }

  /** The oldest batch not yet taken (it stays until `drop()`), or undefined when empty. */
  peek(): Promise<SealedBatch | undefined> {
    return this.serial(async () => {
      if (this.count === 0) return undefined;
      this.reader ??= await open(this.path, 'r');
      const rec = await readRecord(this.reader, this.readAt);
      return rec?.batch;
    });
  }

  /** Removes the oldest batch (after it was stored); deletes the file once it is empty. */
  drop(): Promise<void> {
    return this.serial(async () => {
      this.reader ??= await open(this.path, 'r');
      const rec = await readRecord(this.reader, this.readAt);
      if (!rec) return;
      this.spool.release(rec.next - this.readAt);
      this.readAt = rec.next;
      this.count--;
      if (this.count === 0 && this.readAt >= this.written) await this.reset();
    });
  }

  private async reset(): Promise<void> {
    await this.reader?.close();
    await this.writer?.close();
    this.reader = this.writer = undefined;
    this.readAt = this.written = 0;
    await rm(this.path, { force: true });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

function encodeRecord(b: SealedBatch): Buffer {
  const meta = Buffer.from(JSON.stringify({ subject: b.subject, msgId: b.msgId, lastSeq: b.lastSeq, eof: b.eof }));
  const rec = Buffer.allocUnsafe(8 + meta.length + b.body.length);
  rec.writeUInt32LE(meta.length, 0);
  meta.copy(rec, 4);
  rec.writeUInt32LE(b.body.length, 4 + meta.length);
  rec.set(b.body, 8 + meta.length);
  return rec;
}

async function readRecord(fh: FileHandle, at: number): Promise<{ batch: SealedBatch; next: number } | undefined> {
  const head = Buffer.alloc(4);
  if ((await fh.read(head, 0, 4, at)).bytesRead < 4) return undefined;
  const metaLen = head.readUInt32LE(0);
  const meta = Buffer.alloc(metaLen + 4);
  if ((await fh.read(meta, 0, meta.length, at + 4)).bytesRead < meta.length) return undefined;
  const bodyLen = meta.readUInt32LE(metaLen);
  const body = Buffer.alloc(bodyLen);
  if ((await fh.read(body, 0, bodyLen, at + 8 + metaLen)).bytesRead < bodyLen) return undefined;
  const m = JSON.parse(meta.subarray(0, metaLen).toString());
  return { batch: { subject: m.subject, msgId: m.msgId, lastSeq: m.lastSeq, eof: m.eof, body }, next: at + 8 + metaLen + bodyLen };
}

/** Size of a spool directory on disk (for tests and metrics). */
export async function spoolDiskBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) total += (await stat(join(dir, name))).size;
  return total;
}
