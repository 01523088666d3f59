import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { iso } from './iso';
import { withLogTables } from './log-store-tables';

/** One stored line. `bytes` (base64) is present when the line is not UTF-8 text; `text` is then lossy. */
export interface LogLineView {
  attempt: number;
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
  bytes?: string;
}

export interface ReadLogLinesQuery {
  jobId: string;
  task: string;
  /** Default: the task's last attempt that has lines. */
  attempt?: number;
  /** Lines after this line number (default from the first). */
  afterSeq?: number;
  /** Only lines read at or after this instant. */
  from?: Date;
  /** Only lines read before this instant. */
  to?: Date;
  limit: number;
}

/** A stored chunk as the readers use it. */
export interface LogChunkView {
  attempt: number;
  firstSeq: number;
  lastSeq: number;
  firstTs: number;
  tsOffsets: number[];
  stderrIdx: number[];
  raw: Record<string, string> | null;
  body: string;
  bytes: number;
}

/** Totals of one task attempt's log. */
export interface LogAttemptView {
  task: string;
  attempt: number;
  lastSeq: number;
  bytes: number;
  firstTs: string;
  lastTs: string;
  /** Seq of the last line once the attempt's output is complete; null while it may grow. */
  eofSeq: number | null;
}

const CHUNK_PAGE = 64;

/** The lines of a chunk, in order, as views. */
export function linesOfChunk(c: LogChunkView): LogLineView[] {
  const texts = c.body.split('\n');
  const err = c.stderrIdx.length ? new Set(c.stderrIdx) : undefined;
  // Lines of a batch mostly share a millisecond: format each instant once.
  let lastOffset = -1;
  let lastIso = '';
  return texts.map((text, i) => {
    const raw = c.raw?.[i];
    const offset = c.tsOffsets[i] ?? 0;
    if (offset !== lastOffset) {
      lastOffset = offset;
      lastIso = new Date(c.firstTs + offset).toISOString();
    }
    return {
      attempt: c.attempt,
      seq: c.firstSeq + i,
      ts: lastIso,
      stream: err?.has(i) ? 'stderr' : 'stdout',
      text,
      ...(raw !== undefined ? { bytes: raw } : {}),
    };
  });
}

/**
 * Chunks of one task attempt after `afterSeq`, in order.
 *
 * ```sql
 * select ... from "log_chunks" where "job_id" = $1 and "task" = $2 and "attempt" = $3 and "last_seq" > $4
 *   [and "last_ts" >= $5] [and "first_ts" < $6] order by "last_seq" limit $7
 * ```
 */
export async function readLogChunks(
  db: Kysely<Database>,
  q: { jobId: string; task: string; attempt: number; afterSeq?: number; upToSeq?: number; from?: Date; to?: Date; limit: number },
): Promise<LogChunkView[]> {
  let query = withLogTables(db)
    .selectFrom('log_chunks')
    .select(['attempt', 'first_seq', 'last_seq', 'first_ts', 'ts_offsets', 'stderr_idx', 'raw', 'body', 'bytes'])
    .where('job_id', '=', q.jobId)
    .where('task', '=', q.task)
    .where('attempt', '=', q.attempt)
    .where('last_seq', '>', q.afterSeq ?? 0);
  if (q.upToSeq !== undefined) query = query.where('first_seq', '<=', q.upToSeq);
  if (q.from) query = query.where('last_ts', '>=', q.from);
  if (q.to) query = query.where('first_ts', '<', q.to);
  const rows = await query.orderBy('last_seq').limit(q.limit).execute();
  return rows.map((r) => ({
    attempt: r.attempt,
    firstSeq: Number(r.first_seq),
    lastSeq: Number(r.last_seq),
    firstTs: new Date(r.first_ts).getTime(),
    tsOffsets: r.ts_offsets,
    stderrIdx: r.stderr_idx,
    raw: r.raw,
    body: r.body,
    bytes: Number(r.bytes),
  }));
}

/** Lines of one task attempt in order: at most `limit`, after `afterSeq`, optionally within a time range. */
export async function readLogLines(db: Kysely<Database>, query: ReadLogLinesQuery): Promise<LogLineView[]> {
  const attempt = query.attempt ?? (await lastLogAttempt(db, query.jobId, query.task));
  const out: LogLineView[] = [];
  let after = query.afterSeq ?? 0;
  const from = query.from?.getTime() ?? -Infinity;
  const to = query.to?.getTime() ?? Infinity;
  const ranged = query.from !== undefined || query.to !== undefined;
  for (;;) {
    const chunks = await readLogChunks(db, { ...query, attempt, afterSeq: after, limit: CHUNK_PAGE });
    for (const c of chunks) {
      for (const l of linesOfChunk(c)) {
        if (l.seq <= after) continue;
        if (ranged) {
          const t = Date.parse(l.ts);
          if (t < from || t >= to) continue;
        }
        out.push(l);
        if (out.length >= query.limit) return out;
      }
      after = c.lastSeq;
    }
    if (chunks.length < CHUNK_PAGE) return out;
  }
}

/**
 * The last `lines` lines of one task attempt, in order.
 *
 * ```sql
 * select ... from "log_chunks" where "job_id" = $1 and "task" = $2 and "attempt" = $3 [and "last_seq" < $4]
 *   order by "last_seq" desc limit $5
 * ```
 */
export async function tailLogLines(db: Kysely<Database>, q: { jobId: string; task: string; attempt: number; lines: number }): Promise<LogLineView[]> {
  const picked: LogLineView[][] = [];
  let count = 0;
  let before = Number.MAX_SAFE_INTEGER;
  while (count < q.lines) {
    const rows = await withLogTables(db)
      .selectFrom('log_chunks')
      .select(['attempt', 'first_seq', 'last_seq', 'first_ts', 'ts_offsets', 'stderr_idx', 'raw', 'body', 'bytes'])
      .where('job_id', '=', q.jobId)
      .where('task', '=', q.task)
      .where('attempt', '=', q.attempt)
      .where('last_seq', '<', before)
      .orderBy('last_seq', 'desc')
      .limit(CHUNK_PAGE)
      .execute();
    for (const r of rows) {
      const lines = linesOfChunk({
        attempt: r.attempt, firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq), firstTs: new Date(r.first_ts).getTime(),
        tsOffsets: r.ts_offsets, stderrIdx: r.stderr_idx, raw: r.raw, body: r.body, bytes: Number(r.bytes),
      });
      picked.unshift(lines);
      count += lines.length;
      before = Number(r.first_seq);
      if (count >= q.lines) break;
    }
    if (rows.length < CHUNK_PAGE) break;
  }
  return picked.flat().slice(-q.lines);
}

/**
 * The task's last attempt that has output; 0 when it has none.
 *
 * ```sql
 * select max("attempt") as "attempt" from "log_attempts" where "job_id" = $1 and "task" = $2
 * ```
 */
export async function lastLogAttempt(db: Kysely<Database>, jobId: string, task: string): Promise<number> {
  const row = await withLogTables(db)
    .selectFrom('log_attempts')
    .select((eb) => eb.fn.max('attempt').as('attempt'))
    .where('job_id', '=', jobId)
    .where('task', '=', task)
    .executeTakeFirst();
  return Number(row?.attempt ?? 0);
}

/**
 * Every task attempt of a job that has output, by task then attempt.
 *
 * ```sql
 * select * from "log_attempts" where "job_id" = $1 order by "task", "attempt"
 * ```
 */
export async function listLogAttempts(db: Kysely<Database>, jobId: string, task?: string): Promise<LogAttemptView[]> {
  let q = withLogTables(db).selectFrom('log_attempts').selectAll().where('job_id', '=', jobId);
  if (task) q = q.where('task', '=', task);
  const rows = await q.orderBy('task').orderBy('attempt').execute();
  return rows.map((r) => ({
    task: r.task,
    attempt: r.attempt,
    lastSeq: Number(r.last_seq),
    bytes: Number(r.bytes),
    firstTs: iso(r.first_ts),
    lastTs: iso(r.last_ts),
    eofSeq: r.eof_seq === null ? null : Number(r.eof_seq),
  }));
}

/** Bytes of one attempt's log up to (and including) `upToSeq`: the size of its downloaded file. */
export async function logBytesUpTo(db: Kysely<Database>, q: { jobId: string; task: string; attempt: number; upToSeq: number }): Promise<number> {
  const row = await withLogTables(db)
    .selectFrom('log_chunks')
    .select(sql<string>`coalesce(sum(bytes), 0)`.as('bytes'))
    .where('job_id', '=', q.jobId)
    .where('task', '=', q.task)
    .where('attempt', '=', q.attempt)
    .where('last_seq', '<=', q.upToSeq)
    .executeTakeFirst();
  return Number(row?.bytes ?? 0);
}
