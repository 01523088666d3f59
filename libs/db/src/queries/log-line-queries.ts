import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { iso } from './iso';

/** One line of task output, as the log router stores it. */
export interface LogLineInput {
  jobId: string;
  task: string;
  attempt: number;
  /** Line number within the task attempt, from 1; with the three above, the line's identity. */
  seq: number;
  ts: string | Date;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** One stored line. */
export interface LogLineView {
  attempt: number;
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ReadLogLinesQuery {
  jobId: string;
  task: string;
  /** Default: the task's last attempt that has lines. */
  attempt?: number;
  /** Lines after this line number (default from the first). */
  afterSeq?: number;
  limit: number;
}

// 7 parameters per row; PostgreSQL allows 65,535 per statement.
const ROWS_PER_INSERT = 5000;

/**
 * Stores lines; lines already stored (same job, task, attempt and seq: a re-delivered batch) are
 * ignored. Returns how many were new.
 *
 * ```sql
 * insert into "trainyard"."log_lines" ("job_id", "task", "attempt", "seq", "ts", "stream", "text")
 * values ($1, $2, $3, $4, $5, $6, $7), … on conflict do nothing
 * ```
 */
export async function appendLogLines(db: Kysely<Database>, lines: readonly LogLineInput[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < lines.length; i += ROWS_PER_INSERT) {
    const rows = lines.slice(i, i + ROWS_PER_INSERT).map((l) => ({
      job_id: l.jobId,
      task: l.task,
      attempt: l.attempt,
      seq: l.seq,
      ts: l.ts,
      stream: l.stream,
      text: l.text,
    }));
    const result = await db.insertInto('log_lines').values(rows).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/**
 * Lines of one task attempt in order, at most `limit`, after `afterSeq`.
 *
 * ```sql
 * select "attempt", "seq", "ts", "stream", "text" from "trainyard"."log_lines"
 * where "job_id" = $1 and "task" = $2 and "attempt" = $3 and "seq" > $4 order by "seq" limit $5
 * ```
 */
export async function readLogLines(db: Kysely<Database>, query: ReadLogLinesQuery): Promise<LogLineView[]> {
  const attempt = query.attempt ?? (await lastLogAttempt(db, query.jobId, query.task));
  const rows = await db
    .selectFrom('log_lines')
    .select(['attempt', 'seq', 'ts', 'stream', 'text'])
    .where('job_id', '=', query.jobId)
    .where('task', '=', query.task)
    .where('attempt', '=', attempt)
    .where('seq', '>', query.afterSeq ?? 0)
    .orderBy('seq')
    .limit(query.limit)
    .execute();
  return rows.map((r) => ({ attempt: r.attempt, seq: r.seq, ts: iso(r.ts), stream: r.stream, text: r.text }));
}

/**
 * The task's last attempt that has lines; 0 when it has none.
 *
 * ```sql
 * select max("attempt") as "attempt" from "trainyard"."log_lines" where "job_id" = $1 and "task" = $2
 * ```
 */
export async function lastLogAttempt(db: Kysely<Database>, jobId: string, task: string): Promise<number> {
  const row = await db
    .selectFrom('log_lines')
    .select((eb) => eb.fn.max('attempt').as('attempt'))
    .where('job_id', '=', jobId)
    .where('task', '=', task)
    .executeTakeFirst();
  return Number(row?.attempt ?? 0);
}
