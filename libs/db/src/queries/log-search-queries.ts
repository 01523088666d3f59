import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { withLogTables } from './log-store-tables';

export interface SearchLogsQuery {
  jobId: string;
  /** A substring, or (with `regex`) a PostgreSQL regular expression (ARE: `\d`, `\w`, `(?:…)`, lookahead; no lookbehind). */
  pattern: string;
  regex: boolean;
  ignoreCase: boolean;
  task?: string;
  attempt?: number;
  /** Resume after this hit (the `next` of an earlier page). */
  after?: { task: string; attempt: number; seq: number };
  limit: number;
  /** The database gives up after this long (`statement_timeout`); a slow pattern cannot hog it. */
  timeoutMs: number;
}

export interface LogSearchHit {
  task: string;
  attempt: number;
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

/**
 * Lines of a job's tasks that contain `pattern` (or match it), ordered by task, attempt and seq. A
 * chunk is first tested as a whole (newline-sensitive for regular expressions, so a chunk without a
 * hit is skipped without splitting it), then line by line. Runs in PostgreSQL under a statement
 * timeout; a pattern PostgreSQL rejects throws its error (`invalid regular expression …`).
 *
 * ```sql
 * select c.task, c.attempt, c.first_seq + l.i - 1 as seq, ... from "log_chunks" c
 *   cross join lateral unnest(string_to_array(c.body, E'\n')) with ordinality as l(text, i)
 * where c.job_id = $1 and c.body ~ $2 and l.text ~ $3 [and (c.task, c.attempt, c.last_seq) >= ($4, $5, $6)]
 * order by c.task, c.attempt, c.last_seq, l.i limit $7
 * ```
 */
export async function searchLogLines(db: Kysely<Database>, q: SearchLogsQuery): Promise<LogSearchHit[]> {
  const ldb = withLogTables(db);
  const chunk = q.regex
    ? sql`c.body ${sql.raw(q.ignoreCase ? '~*' : '~')} ${`(?n)${q.pattern}`}`
    : q.ignoreCase
      ? sql`strpos(lower(c.body), lower(${q.pattern})) > 0`
      : sql`strpos(c.body, ${q.pattern}) > 0`;
  const line = q.regex
    ? sql`l.l ${sql.raw(q.ignoreCase ? '~*' : '~')} ${q.pattern}`
    : q.ignoreCase
      ? sql`strpos(lower(l.l), lower(${q.pattern})) > 0`
      : sql`strpos(l.l, ${q.pattern}) > 0`;
  const filters = [chunk, line];
  if (q.after) {
    const a = q.after;
    filters.push(sql`(c.task, c.attempt, c.first_seq + l.ordinality - 1) > (${a.task}, ${a.attempt}, ${a.seq})`);
    filters.push(sql`(c.task, c.attempt, c.last_seq) >= (${a.task}, ${a.attempt}, ${a.seq})`);
  }
  return ldb.transaction().execute(async (trx) => {
    await sql.raw(`set local statement_timeout = ${Math.max(1, Math.floor(q.timeoutMs))}`).execute(trx);
    let query = trx
      .selectFrom('log_chunks as c')
      .innerJoinLateral(sql<{ l: string; ordinality: number }>`unnest(string_to_array(c.body, E'\\n')) with ordinality`.as('l'), (j) => j.onTrue())
      .select([
        'c.task',
        'c.attempt',
        sql<string>`c.first_seq + l.ordinality - 1`.as('seq'),
        sql<Date>`c.first_ts + make_interval(secs => coalesce(c.ts_offsets[l.ordinality::int], 0) / 1000.0)`.as('ts'),
        sql<boolean>`(l.ordinality - 1)::int = any(c.stderr_idx)`.as('stderr'),
        sql<string>`l.l`.as('text'),
      ])
      .where('c.job_id', '=', q.jobId);
    if (q.task) query = query.where('c.task', '=', q.task);
    if (q.attempt !== undefined) query = query.where('c.attempt', '=', q.attempt);
    for (const f of filters) query = query.where(sql<boolean>`${f}`);
    const rows = await query.orderBy('c.task').orderBy('c.attempt').orderBy('c.last_seq').orderBy(sql`l.ordinality`).limit(q.limit).execute();
    return rows.map((h) => ({
      task: h.task,
      attempt: h.attempt,
      seq: Number(h.seq),
      ts: new Date(h.ts).toISOString(),
      stream: h.stderr ? 'stderr' : 'stdout',
      text: h.text,
    }));
  });
}
