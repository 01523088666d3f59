import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { withLogTables } from './log-store-tables';

/** One task's resource sample as stored. */
export interface MetricSampleRow {
  jobId: string;
  task: string;
  attempt: number;
  nodeId: string;
  /** ISO-8601 */
  ts: string;
  /** Metric id → value (`ma_container_cpu_util` …). */
  values: Record<string, number>;
}

/**
 * Stores samples; a sample already stored (same task attempt and instant) is ignored.
 *
 * ```sql
 * insert into "metric_samples" ("job_id", "task", "attempt", "node_id", "ts", "values") values (...), ... on conflict do nothing
 * ```
 */
export async function insertMetricSamples(db: Kysely<Database>, rows: readonly MetricSampleRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    await withLogTables(db)
      .insertInto('metric_samples')
      .values(rows.slice(i, i + 5000).map((r) => ({
        job_id: r.jobId, task: r.task, attempt: r.attempt, node_id: r.nodeId, ts: r.ts, values: JSON.stringify(r.values),
      })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * A job's samples in `[from, to)`, by task then time.
 *
 * ```sql
 * select * from "metric_samples" where "job_id" = $1 and "ts" >= $2 and "ts" < $3 [and "task" = $4] order by "task", "ts"
 * ```
 */
export async function readMetricSamples(db: Kysely<Database>, q: { jobId: string; from: Date; to: Date; task?: string }): Promise<MetricSampleRow[]> {
  let query = withLogTables(db).selectFrom('metric_samples').selectAll().where('job_id', '=', q.jobId).where('ts', '>=', q.from).where('ts', '<', q.to);
  if (q.task) query = query.where('task', '=', q.task);
  const rows = await query.orderBy('task').orderBy('ts').execute();
  return rows.map((r) => ({ jobId: r.job_id, task: r.task, attempt: r.attempt, nodeId: r.node_id, ts: new Date(r.ts).toISOString(), values: r.values }));
}

/** Deletes samples older than `before`; returns how many. */
export async function deleteExpiredSamples(db: Kysely<Database>, before: Date): Promise<number> {
  const r = await withLogTables(db).deleteFrom('metric_samples').where('ts', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
