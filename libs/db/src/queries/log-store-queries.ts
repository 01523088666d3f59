import { isUtf8 } from 'node:buffer';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { withLogTables } from './log-store-tables';

/** One batch of lines to store (the log router builds it from a `LogBatch`). */
export interface LogChunkInput {
  jobId: string;
  task: string;
  attempt: number;
  firstSeq: number;
  /** Epoch ms of the first line. */
  firstTs: number;
  /** Per line, ms after `firstTs`. */
  tsOffsets: number[];
  stderrIdx: number[];
  /** Position → base64 of the exact bytes. */
  raw?: Record<string, string>;
  lines: string[];
}

/** A piece of a long line (`LogLinePiece` on the wire). */
export interface LogPieceInput {
  jobId: string;
  task: string;
  attempt: number;
  seq: number;
  idx: number;
  last: boolean;
  ts: number;
  stderr: boolean;
  data: Uint8Array;
}

/** What one router transaction stores: everything of a run of TY_LOGS messages, and their checkpoint. */
export interface LogWrite {
  chunks: LogChunkInput[];
  pieces: LogPieceInput[];
  /** Attempts whose last line is known: `lastSeq` 0 for an attempt that printed nothing. */
  eofs: Array<{ jobId: string; task: string; attempt: number; lastSeq: number; ts: number }>;
  checkpoint: { name: string; seq: number };
}

/** Per task attempt touched by a write: how far it is stored now. */
export interface StoredAttempt {
  jobId: string;
  task: string;
  attempt: number;
  lastSeq: number;
  eof: boolean;
}

// 13 parameters per chunk row; PostgreSQL allows 65,535 per statement.
const CHUNKS_PER_INSERT = 2000;

/** Bytes of lines in a downloaded file: the exact bytes of each line and a `\n` after it. */
export function chunkBytes(lines: readonly string[], raw?: Record<string, string>): number {
  let n = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const r = raw?.[i];
    n += r !== undefined ? Buffer.byteLength(r, 'base64') : Buffer.byteLength(lines[i]);
  }
  return n;
}

/**
 * Stores a run of batches in one transaction: chunks (a repeat of a stored chunk is ignored), pieces of
 * long lines (a line whose last piece arrives becomes a one-line chunk), per-attempt totals and eof
 * marks, and the checkpoint. So a router that dies at any point resumes from the checkpoint and
 * stores nothing twice.
 *
 * ```sql
 * insert into "log_chunks" (...) values (...), ... on conflict do nothing returning "job_id", "task", "attempt", "last_seq", "bytes", ...
 * insert into "log_attempts" (...) values (...) on conflict ("job_id", "task", "attempt") do update
 *   set "last_seq" = greatest(...), "bytes" = "log_attempts"."bytes" + excluded."bytes", ...
 * insert into "log_checkpoint" ("name", "seq") values ($1, $2) on conflict ("name") do update set "seq" = excluded."seq"
 * ```
 */
export async function storeLogWrite(db: Kysely<Database>, write: LogWrite): Promise<StoredAttempt[]> {
  return withLogTables(db).transaction().execute(async (trx) => {
    const chunks = [...write.chunks];
    if (write.pieces.length) {
      await trx
        .insertInto('log_line_pieces')
        .values(write.pieces.map((p) => ({
          job_id: p.jobId, task: p.task, attempt: p.attempt, seq: p.seq, idx: p.idx, ts: new Date(p.ts), stderr: p.stderr, data: p.data,
        })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      for (const last of write.pieces.filter((p) => p.last)) {
        const key = (qb: any) =>
          qb.where('job_id', '=', last.jobId).where('task', '=', last.task).where('attempt', '=', last.attempt).where('seq', '=', last.seq);
        const parts = await key(trx.selectFrom('log_line_pieces').select(['idx', 'ts', 'stderr', 'data'])).orderBy('idx').execute();
        // Pieces arrive in order on one subject; a hole would mean a lost message: keep waiting.
        if (parts.length !== last.idx + 1) continue;
        const bytes = Buffer.concat(parts.map((p: { data: Uint8Array }) => Buffer.from(p.data)));
        chunks.push({
          jobId: last.jobId, task: last.task, attempt: last.attempt, firstSeq: last.seq, firstTs: new Date(parts[0].ts).getTime(),
          tsOffsets: [0], stderrIdx: parts[0].stderr ? [0] : [], ...lineOf(bytes),
        });
        await key(trx.deleteFrom('log_line_pieces')).execute();
      }
    }

    const stored = new Map<string, StoredAttempt & { bytes: number; firstTs: number; lastTs: number }>();
    const touch = (jobId: string, task: string, attempt: number, lastSeq: number, bytes: number, firstTs: number, lastTs: number, eof: boolean) => {
      const k = `${jobId}\u0000${task}\u0000${attempt}`;
      const s = stored.get(k);
      if (!s) stored.set(k, { jobId, task, attempt, lastSeq, eof, bytes, firstTs, lastTs });
      else {
        s.lastSeq = Math.max(s.lastSeq, lastSeq);
        s.bytes += bytes;
        s.firstTs = Math.min(s.firstTs, firstTs);
        s.lastTs = Math.max(s.lastTs, lastTs);
        s.eof ||= eof;
      }
    };
    for (let i = 0; i < chunks.length; i += CHUNKS_PER_INSERT) {
      const rows = chunks.slice(i, i + CHUNKS_PER_INSERT).map((c) => {
        const n = c.lines.length;
        return {
          job_id: c.jobId, task: c.task, attempt: c.attempt, first_seq: c.firstSeq, last_seq: c.firstSeq + n - 1,
          first_ts: new Date(c.firstTs), last_ts: new Date(c.firstTs + (c.tsOffsets[n - 1] ?? 0)), line_count: n,
          ts_offsets: c.tsOffsets, stderr_idx: c.stderrIdx, raw: c.raw && Object.keys(c.raw).length ? JSON.stringify(c.raw) : null,
          body: c.lines.join('\n'), bytes: chunkBytes(c.lines, c.raw),
        };
      });
      const inserted = await trx
        .insertInto('log_chunks')
        .values(rows)
        .onConflict((oc) => oc.doNothing())
        .returning(['job_id', 'task', 'attempt', 'last_seq', 'bytes', 'first_ts', 'last_ts'])
        .execute();
      for (const r of inserted) {
        touch(r.job_id, r.task, r.attempt, Number(r.last_seq), Number(r.bytes), new Date(r.first_ts).getTime(), new Date(r.last_ts).getTime(), false);
      }
    }
    for (const e of write.eofs) touch(e.jobId, e.task, e.attempt, e.lastSeq, 0, e.ts, e.ts, true);
    const eofSeq = new Map(write.eofs.map((e) => [`${e.jobId}\u0000${e.task}\u0000${e.attempt}`, e.lastSeq]));

    for (const [k, s] of stored) {
      await trx
        .insertInto('log_attempts')
        .values({
          job_id: s.jobId, task: s.task, attempt: s.attempt, last_seq: s.lastSeq, bytes: s.bytes,
          first_ts: new Date(s.firstTs), last_ts: new Date(s.lastTs), eof_seq: eofSeq.get(k) ?? null,
        })
        .onConflict((oc) =>
          oc.columns(['job_id', 'task', 'attempt']).doUpdateSet({
            last_seq: sql`greatest(log_attempts.last_seq, excluded.last_seq)`,
            bytes: sql`log_attempts.bytes + excluded.bytes`,
            first_ts: sql`least(log_attempts.first_ts, excluded.first_ts)`,
            last_ts: sql`greatest(log_attempts.last_ts, excluded.last_ts)`,
            eof_seq: sql`coalesce(excluded.eof_seq, log_attempts.eof_seq)`,
          }),
        )
        .execute();
    }
    await trx
      .insertInto('log_checkpoint')
      .values(write.checkpoint)
      .onConflict((oc) => oc.column('name').doUpdateSet({ seq: sql`greatest(log_checkpoint.seq, excluded.seq)` }))
      .execute();
    return [...stored.values()].map(({ jobId, task, attempt, lastSeq, eof }) => ({ jobId, task, attempt, lastSeq, eof }));
  });
}

/** The router's last stored TY_LOGS sequence (0 before the first). */
export async function readLogCheckpoint(db: Kysely<Database>, name: string): Promise<number> {
  const row = await withLogTables(db).selectFrom('log_checkpoint').select('seq').where('name', '=', name).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * Deletes task output older than `before` (by its last line), and totals of attempts left without
 * output. Returns the chunks deleted.
 *
 * ```sql
 * delete from "log_chunks" where "last_ts" < $1
 * ```
 */
export async function deleteExpiredLogs(db: Kysely<Database>, before: Date): Promise<number> {
  const ldb = withLogTables(db);
  const r = await ldb.deleteFrom('log_chunks').where('last_ts', '<', before).executeTakeFirst();
  await ldb.deleteFrom('log_attempts').where('last_ts', '<', before).execute();
  await ldb.deleteFrom('log_line_pieces').where('ts', '<', before).execute();
  return Number(r.numDeletedRows);
}

/** A joined long line as chunk fields: text (lossy if need be) and its raw bytes when not plain UTF-8. */
function lineOf(bytes: Buffer): { lines: string[]; raw?: Record<string, string> } {
  const text = bytes.toString('utf8');
  return bytes.indexOf(0) < 0 && isUtf8(bytes) ? { lines: [text] } : { lines: [text.replaceAll('\0', '\uFFFD')], raw: { 0: bytes.toString('base64') } };
}
