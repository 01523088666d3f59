import { decodeLogBatch, lastSeqOf, type LogBatch } from '@trainyard/contracts';
import type { LogWrite } from './log-store-queries';

/**
 * Collects a run of TY_LOGS messages into one {@link LogWrite}: each batch becomes a chunk, a piece of
 * a long line stays a piece (the store joins them), an eof mark records the attempt's last seq.
 * Pure: the log router decides what to store here and does the I/O elsewhere; a retried dead letter
 * (`retryDeadLetter`) goes through it again.
 */
export class LogWriteBuilder {
  private readonly write: LogWrite;
  /** Messages that were not valid batches (dropped, with their stream sequence). */
  readonly malformed: number[] = [];
  lines = 0;

  constructor(checkpointName: string) {
    this.write = { chunks: [], pieces: [], eofs: [], checkpoint: { name: checkpointName, seq: 0 } };
  }

  /** Adds one message (its stream sequence becomes the checkpoint). */
  add(streamSeq: number, data: Uint8Array): LogBatch | undefined {
    return this.addDecoded(streamSeq, decodeLogBatch(data));
  }

  /** Adds one message already decoded (`decodeLogBatch`; undefined: it was not a batch). */
  addDecoded(streamSeq: number, b: LogBatch | undefined): LogBatch | undefined {
    this.write.checkpoint.seq = Math.max(this.write.checkpoint.seq, streamSeq);
    if (!b) {
      this.malformed.push(streamSeq);
      return undefined;
    }
    const key = { jobId: b.jobId, task: b.task, attempt: b.attempt };
    if (b.piece) {
      const data = Buffer.from(b.piece.data, 'base64');
      this.write.pieces.push({ ...key, seq: b.firstSeq, idx: b.piece.index, last: b.piece.last, ts: b.t0, stderr: b.piece.stream === 'stderr', data });
      if (b.piece.last) this.lines++;
    } else if (b.lines.length) {
      const d0 = b.dt[0];
      this.write.chunks.push({
        ...key, firstSeq: b.firstSeq, firstTs: b.t0 + d0, tsOffsets: d0 ? b.dt.map((d) => d - d0) : b.dt,
        stderrIdx: b.err ?? [], lines: b.lines, ...(b.raw ? { raw: b.raw } : {}),
      });
      this.lines += b.lines.length;
    }
    if (b.eof) this.write.eofs.push({ ...key, lastSeq: lastSeqOf(b), ts: b.t0 + (b.dt.at(-1) ?? 0) });
    return b;
  }

  get size(): number {
    return this.write.chunks.length + this.write.pieces.length + this.write.eofs.length;
  }

  build(): LogWrite {
    return this.write;
  }
}

/** A TY_LOGS message that is not a `LogBatch` v2: retrying cannot change its bytes (`poison`). */
export class MalformedLogBatch extends Error {
  override readonly name = 'MalformedLogBatch';
  readonly retryable = false;
  readonly poison = true;
  constructor(readonly seq: number) {
    super(`TY_LOGS message ${seq} is not a log batch (v2)`);
  }
}
