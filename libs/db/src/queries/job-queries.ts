import type { JobWaitReason, RequeueReason, TrainingJobSpec } from '@trainyard/contracts';
import { type Kysely, type Selectable, sql } from 'kysely';
import type { Database, JobsTable, TasksTable } from '../database';
import { JOB_STATE_ZH, type JobState, type TaskState } from '../states';
import { iso } from './iso';

/** A job as listed. Times are ISO-8601. */
export interface JobSummary {
  id: string;
  name: string;
  state: JobState;
  priority: number;
  nodeCount: number;
  attempt: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  updatedAt: string;
}

/** One task of a job. */
export interface TaskView {
  name: string;
  index: number;
  state: TaskState;
  nodeId: string | null;
  attempt: number;
  exitCode: number | null;
  signal: string | null;
  procStartCount: number;
  startedAt: string | null;
  endedAt: string | null;
}

/** A job with everything the detail page shows. */
export interface JobView extends JobSummary {
  description: string | null;
  /** The seed's label of `state`, e.g. 运行中. */
  stateZh: string;
  dispatched: boolean;
  reason: string | null;
  createdBy: string;
  spec: TrainingJobSpec;
  /** By index. */
  tasks: TaskView[];
  /** Why the job waits, with the numbers (null once placed, or before the scheduler explained it). */
  waitReason: JobWaitReason | null;
  /** Set while the job waits again after a run: it queues at first priority. */
  requeue: RequeueReason | null;
  /** The job that preempted this one last. */
  preemptedBy: string | null;
  /** Stream sequence of the job's last commit. */
  lastSeq: number;
}

export interface ListJobsQuery {
  /** One state or several. Without it every job except `deleted` ones is listed. */
  state?: JobState | readonly JobState[];
  /** Names containing this, case-insensitively. */
  name?: string;
  /** Jobs with this tag key (and value, when given). */
  tag?: { key: string; value?: string };
  limit: number;
  offset: number;
}

const SUMMARY_COLUMNS = ['id', 'name', 'state', 'priority', 'node_count', 'attempt', 'created_at', 'started_at', 'ended_at', 'updated_at'] as const;

/**
 * A page of jobs, newest first, and how many match in all.
 *
 * ```sql
 * select "id", "name", "state", "priority", "node_count", "attempt", "created_at", "started_at", "ended_at", "updated_at"
 * from "trainyard"."jobs" where "state" <> $1 order by "created_at" desc, "id" desc limit $2 offset $3
 * select count(*) as "total" from "trainyard"."jobs" where "state" <> $1
 * ```
 * With `state`, the filter is `where "state" in ($1, …)` instead; `name` adds
 * `and "name" ilike $n` (`%`, `_` and `\` escaped), `tag` adds
 * `and spec->'metadata'->'tags' @> $n::jsonb` with `[{"key":…,"value":…}]`.
 */
export async function listJobs(db: Kysely<Database>, query: ListJobsQuery): Promise<{ items: JobSummary[]; total: number }> {
  let base = filterByState(db, query.state);
  if (query.name) base = base.where('name', 'ilike', `%${query.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (query.tag) {
    const wanted = JSON.stringify([{ key: query.tag.key, ...(query.tag.value !== undefined ? { value: query.tag.value } : {}) }]);
    base = base.where(sql<boolean>`spec->'metadata'->'tags' @> ${wanted}::jsonb`);
  }
  const [rows, count] = await Promise.all([
    base
      .select(SUMMARY_COLUMNS)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirst(),
  ]);
  return { items: rows.map(toSummary), total: Number(count?.total ?? 0) };
}

function filterByState(db: Kysely<Database>, state: ListJobsQuery['state']) {
  const q = db.selectFrom('jobs');
  if (state === undefined) return q.where('state', '<>', 'deleted');
  const states = typeof state === 'string' ? [state] : [...state];
  return q.where('state', 'in', states.length ? states : ['' as JobState]);
}

/** A job summary with the stream sequence of the commit that changed it last. */
export interface JobChange extends JobSummary {
  seq: number;
}

/**
 * Jobs changed by commits after `afterSeq` (deleted ones included: their state says so), in log
 * order of their last change: what a live job list needs to catch up.
 *
 * ```sql
 * select "id", …, "updated_at", "last_seq" from "trainyard"."jobs"
 * where "last_seq" > $1 order by "last_seq" limit $2
 * ```
 */
export async function listJobChanges(db: Kysely<Database>, afterSeq: number, limit: number): Promise<JobChange[]> {
  const rows = await db
    .selectFrom('jobs')
    .select([...SUMMARY_COLUMNS, 'last_seq'])
    .where('last_seq', '>', afterSeq)
    .orderBy('last_seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...toSummary(r), seq: Number(r.last_seq) }));
}

/**
 * One job with its tasks (deleted jobs included: their state says so), or undefined.
 *
 * ```sql
 * select * from "trainyard"."jobs" where "id" = $1
 * select * from "trainyard"."tasks" where "job_id" = $1 order by "index"
 * ```
 */
export async function getJob(db: Kysely<Database>, id: string): Promise<JobView | undefined> {
  const [job, tasks] = await Promise.all([
    db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst(),
    db.selectFrom('tasks').selectAll().where('job_id', '=', id).orderBy('index').execute(),
  ]);
  if (!job) return undefined;
  return {
    ...toSummary(job),
    description: job.description,
    stateZh: JOB_STATE_ZH[job.state] ?? job.state,
    dispatched: job.dispatched,
    reason: job.reason,
    createdBy: job.created_by,
    spec: job.spec,
    tasks: tasks.map(toTaskView),
    waitReason: job.wait_reason,
    requeue: job.requeue,
    preemptedBy: job.preempted_by,
    lastSeq: job.last_seq,
  };
}

type SummaryRow = Pick<Selectable<JobsTable>, (typeof SUMMARY_COLUMNS)[number]>;

function toSummary(r: SummaryRow): JobSummary {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    priority: r.priority,
    nodeCount: r.node_count,
    attempt: r.attempt,
    createdAt: iso(r.created_at),
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    updatedAt: iso(r.updated_at),
  };
}

function toTaskView(t: Selectable<TasksTable>): TaskView {
  return {
    name: t.name,
    index: t.index,
    state: t.state,
    nodeId: t.node_id,
    attempt: t.attempt,
    exitCode: t.exit_code,
    signal: t.signal,
    procStartCount: t.proc_start_count,
    startedAt: iso(t.started_at),
    endedAt: iso(t.ended_at),
  };
}
