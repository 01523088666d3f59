import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { iso } from './iso';

/** One event as the dashboard folds it. */
export interface DashboardEventRow {
  seq: number;
  jobId: string;
  type: string;
  time: string;
  task: string | null;
  data: any;
}

/** Event types the dashboard and the control-plane metrics read (everything else is left in the table). */
export const DASHBOARD_EVENT_TYPES = [
  'JobCreated', 'JobQueued', 'JobScheduled', 'JobStarted', 'TaskStarted', 'TaskExited', 'JobSucceeded', 'JobFailed', 'JobAbnormal',
  'JobTerminated', 'JobDeleted', 'RecoveryDecided', 'JobRestarted',
] as const;

/**
 * Those events of every job created in `[from, to)`, in log order.
 *
 * ```sql
 * select "seq", "job_id", "type", "time", "task", "data" from "job_events"
 * where "type" in (...) and "job_id" in (select "job_id" from "job_events" where "type" = 'JobCreated' and "time" >= $1 and "time" < $2)
 * order by "seq", "idx"
 * ```
 */
export async function listDashboardEvents(db: Kysely<Database>, q: { from: Date; to: Date }): Promise<DashboardEventRow[]> {
  const rows = await db
    .selectFrom('job_events')
    .select(['seq', 'job_id', 'type', 'time', 'task', 'data'])
    .where('type', 'in', [...DASHBOARD_EVENT_TYPES])
    .where('job_id', 'in', (eb) =>
      eb.selectFrom('job_events').select('job_id').where('type', '=', 'JobCreated').where('time', '>=', q.from).where('time', '<', q.to),
    )
    .orderBy('seq')
    .orderBy('idx')
    .execute();
  return rows.map((r) => ({ seq: Number(r.seq), jobId: r.job_id, type: r.type, time: iso(r.time), task: r.task, data: r.data }));
}

/**
 * Jobs per state, and waiting (undispatched) jobs per priority with the oldest one's creation time.
 *
 * ```sql
 * select "state", count(*) from "jobs" group by "state"
 * select "priority", count(*), min("updated_at") from "jobs" where "state" = 'waiting' and not "dispatched" group by "priority"
 * ```
 */
export async function jobGauges(db: Kysely<Database>): Promise<{
  byState: Record<string, number>;
  queue: Array<{ priority: number; depth: number; oldestSince: string }>;
}> {
  const states = await db.selectFrom('jobs').select(['state', sql<string>`count(*)`.as('n')]).groupBy('state').execute();
  const queue = await db
    .selectFrom('jobs')
    .select(['priority', sql<string>`count(*)`.as('n'), sql<Date>`min(updated_at)`.as('oldest')])
    .where('state', '=', 'waiting')
    .where('dispatched', '=', false)
    .groupBy('priority')
    .execute();
  return {
    byState: Object.fromEntries(states.map((s) => [s.state, Number(s.n)])),
    queue: queue.map((r) => ({ priority: r.priority, depth: Number(r.n), oldestSince: iso(r.oldest) })),
  };
}

/**
 * Every job's queue waits: from each `JobQueued` to the `JobScheduled` that followed, with the
 * priority it queued at, in log order.
 */
export async function listQueueWaits(db: Kysely<Database>): Promise<Array<{ priority: number; seconds: number }>> {
  const rows = await db
    .selectFrom('job_events')
    .select(['job_id', 'type', 'time', 'data'])
    .where('type', 'in', ['JobQueued', 'JobScheduled'])
    .orderBy('job_id')
    .orderBy('seq')
    .orderBy('idx')
    .execute();
  const out: Array<{ priority: number; seconds: number }> = [];
  let job = '';
  let queued: { at: number; priority: number } | undefined;
  for (const r of rows) {
    if (r.job_id !== job) {
      job = r.job_id;
      queued = undefined;
    }
    const at = new Date(r.time).getTime();
    if (r.type === 'JobQueued') queued = { at, priority: Number((r.data as { priority?: number })?.priority ?? 1) };
    else if (queued) {
      out.push({ priority: queued.priority, seconds: (at - queued.at) / 1000 });
      queued = undefined;
    }
  }
  return out;
}
