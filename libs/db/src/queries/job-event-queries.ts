import type { Kysely, Selectable } from 'kysely';
import type { Database, JobEventsTable } from '../database';
import { iso } from './iso';

/** One event of a job's history, with the seed's text in English and Chinese. */
export interface JobEventView {
  seq: number;
  idx: number;
  type: string;
  time: string;
  task: string | null;
  message: string;
  messageZh: string;
  data: unknown;
  actor: string;
}

export interface ListJobEventsQuery {
  /** Only events of commits after this sequence (for following a job live). */
  afterSeq?: number;
  limit?: number;
}

/**
 * A job's events in log order.
 *
 * ```sql
 * select * from "trainyard"."job_events" where "job_id" = $1 [and "seq" > $2]
 * order by "seq", "idx" [limit $3]
 * ```
 */
export async function listJobEvents(db: Kysely<Database>, jobId: string, query: ListJobEventsQuery = {}): Promise<JobEventView[]> {
  let q = db.selectFrom('job_events').selectAll().where('job_id', '=', jobId);
  if (query.afterSeq !== undefined) q = q.where('seq', '>', query.afterSeq);
  q = q.orderBy('seq').orderBy('idx');
  if (query.limit !== undefined) q = q.limit(query.limit);
  return (await q.execute()).map(toEventView);
}

function toEventView(r: Selectable<JobEventsTable>): JobEventView {
  return {
    seq: r.seq,
    idx: r.idx,
    type: r.type,
    time: iso(r.time),
    task: r.task,
    message: r.message,
    messageZh: r.message_zh,
    data: r.data,
    actor: r.actor,
  };
}
