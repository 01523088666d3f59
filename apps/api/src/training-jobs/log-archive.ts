import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { linesOfChunkBytes } from './log-bytes';
import type { LogReads } from './log-reads';

/**
 * The guide's log file name (ch14 §4.2): `modelarts-job-<job id>-<task id>.log`, e.g.
 * `modelarts-job-95f661bd-…-worker-0.log`.
 */
export const logFileName = (jobId: string, task: string) => `modelarts-job-${jobId}-${task}.log`;

/** One 512-byte ustar header of a regular file. Sizes past 8 GiB use the base-256 form GNU tar reads. */
export function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, at: number, len: number) => h.write(text, at, len, 'ascii');
  const octal = (n: number, len: number) => n.toString(8).padStart(len - 1, '0') + '\0';
  if (Buffer.byteLength(name) > 100) throw new RangeError(`tar entry name too long: ${name}`);
  h.write(name, 0, 100, 'utf8');
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  if (size < 8 ** 11) put(octal(size, 12), 124, 12);
  else {
    h[124] = 0x80;
    for (let i = 135, n = size; i > 124; i--, n = Math.floor(n / 256)) h[i] = n % 256;
  }
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('trainyard', 265, 32);
  put('trainyard', 297, 32);
  let sum = 0;
  for (const b of h) sum += b;
  put(octal(sum, 7) + ' ', 148, 8);
  return h;
}

/** Zeros that round an entry of `size` bytes up to a 512-byte block. */
export const tarPadding = (size: number) => Buffer.alloc((512 - (size % 512)) % 512);
/** Two empty blocks end an archive. */
export const TAR_END = Buffer.alloc(1024);

const PAGE = 64;

/**
 * Writes one task attempt's output (exact bytes, `\n` after each line) up to `upToSeq`, chunk by
 * chunk, honouring the sink's back-pressure. Returns the bytes written.
 */
export async function writeTaskLog(
  out: Writable,
  logs: LogReads,
  q: { jobId: string; task: string; attempt: number; upToSeq: number },
): Promise<number> {
  let after = 0;
  let written = 0;
  for (;;) {
    const chunks = await logs.chunks({ ...q, afterSeq: after, limit: PAGE });
    for (const c of chunks) {
      const bytes = linesOfChunkBytes(c);
      written += bytes.length;
      if (!out.write(bytes)) await once(out, 'drain');
      after = c.lastSeq;
    }
    if (chunks.length < PAGE) return written;
  }
}

/**
 * Writes a tar archive of task logs: one entry per task attempt (`name`), sized up front from the
 * store's totals at `upToSeq`, so the archive streams without buffering a whole log.
 */
export async function writeLogArchive(
  out: Writable,
  logs: LogReads,
  entries: Array<{ name: string; jobId: string; task: string; attempt: number; upToSeq: number; mtime: Date }>,
): Promise<void> {
  for (const e of entries) {
    const size = await logs.bytesUpTo(e);
    if (!out.write(tarHeader(e.name, size, e.mtime))) await once(out, 'drain');
    const written = await writeTaskLog(out, logs, e);
    if (written !== size) throw new Error(`log of ${e.task} changed while archiving (${written} bytes, expected ${size})`);
    out.write(tarPadding(size));
  }
  out.write(TAR_END);
}
