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
  /** The job's project (its spec's `metadata.project`, `default` when it names none). */
  project: string;
  createdBy: string;
  description: string | null;
  /** The spec's `metadata.tags` and `metadata.experiment` as they are now (edits merge into the spec). */
  tags: { key: string; value: string }[];
  experiment: string | null;
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
  /** Only jobs of these projects (the caller's readable ones); without it every project. */
  projects?: readonly string[];
  /** Jobs of this experiment (`metadata.experiment`). */
  experiment?: string;
  /** Default `created_at` newest first; ties broken by id in the same direction. */
  sortBy?: 'created_at' | 'name' | 'state';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const SUMMARY_COLUMNS = ['id', 'name', 'state', 'priority', 'node_count', 'attempt', 'created_at', 'started_at', 'ended_at', 'updated_at', 'created_by', 'description'] as const;
/** Tags and experiment, read from the spec like the filters on them. */
const TAGS_OF_JOB = sql<{ key: string; value: string }[] | null>`spec->'metadata'->'tags'`;
const EXPERIMENT_OF_JOB = sql<string | null>`spec->'metadata'->>'experiment'`;

/** A job's project, read from its spec: one expression for the column and the filter. */
export const PROJECT_OF_JOB = sql<string>`coalesce(spec->'metadata'->>'project', 'default')`;

/**
 * A page of jobs, newest first, and how many match in all.
 *
 * ```sql
 * select "id", "name", "state", "priority", "node_count", "attempt", "created_at", "started_at", "ended_at", "updated_at",
 *   "created_by", "description", coalesce(spec->'metadata'->>'project', 'default') as "project",
 *   spec->'metadata'->'tags' as "tags", spec->'metadata'->>'experiment' as "experiment"
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
  if (query.projects) base = base.where(PROJECT_OF_JOB, 'in', query.projects.length ? [...query.projects] : ['']);
  if (query.experiment) base = base.where(EXPERIMENT_OF_JOB, '=', query.experiment);
  const order = query.order ?? 'desc';
  const [rows, count] = await Promise.all([
    base
      .select([...SUMMARY_COLUMNS, PROJECT_OF_JOB.as('project'), TAGS_OF_JOB.as('tags'), EXPERIMENT_OF_JOB.as('experiment')])
      .orderBy(query.sortBy ?? 'created_at', order)
      .orderBy('id', order)
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
    .select([...SUMMARY_COLUMNS, 'last_seq', PROJECT_OF_JOB.as('project'), TAGS_OF_JOB.as('tags'), EXPERIMENT_OF_JOB.as('experiment')])
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
  // One snapshot for both reads: apart, on two connections, a commit applied between them gave a
  // completed job whose task still ran (seen in CI, test/node-join.e2e).
  const [job, tasks] = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => [
      await trx.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst(),
      await trx.selectFrom('tasks').selectAll().where('job_id', '=', id).orderBy('index').execute(),
    ] as const);
  if (!job) return undefined;
  return {
    ...toSummary({ ...job, project: job.spec?.metadata?.project || 'default', tags: job.spec?.metadata?.tags ?? null, experiment: job.spec?.metadata?.experiment ?? null }),
    stateZh: JOB_STATE_ZH[job.state] ?? job.state,
    dispatched: job.dispatched,
    reason: job.reason,
    spec: job.spec,
    tasks: tasks.map(toTaskView),
    waitReason: job.wait_reason,
    requeue: job.requeue,
    preemptedBy: job.preempted_by,
    lastSeq: job.last_seq,
  };
}

type SummaryRow = Pick<Selectable<JobsTable>, (typeof SUMMARY_COLUMNS)[number]> & { project: string; tags: { key: string; value: string }[] | null; experiment: string | null };

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
    project: r.project,
    createdBy: r.created_by,
    description: r.description,
    tags: r.tags ?? [],
    experiment: r.experiment ?? null,
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
