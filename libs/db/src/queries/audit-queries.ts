import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { iso } from './iso';

/** One command a principal had committed on a job: one commit of the job's history. */
export interface JobAuditEntry {
  seq: number;
  time: string;
  actor: string;
  jobId: string;
  /** Event types of the commit, in order, e.g. `['JobCreated', 'JobQueued']`. */
  types: string[];
  /** The first event's English text. */
  message: string;
  /** The job's project. */
  project: string;
}

export interface JobAuditQuery {
  actor?: string;
  jobId?: string;
  since?: Date;
  until?: Date;
  /** Only commits before this sequence (the next page). */
  beforeSeq?: number;
  /** Only jobs of these projects (a maintainer's audit of its own project). */
  projects?: readonly string[];
  limit: number;
}

/** Actors that are principals (people and programs with a token), not services: `user:<id>`, `token:<id>`. */
export const PRINCIPAL_ACTOR_PREFIXES = ['user:', 'token:'] as const;
export const isPrincipalActor = (actor: string) => PRINCIPAL_ACTOR_PREFIXES.some((p) => actor.startsWith(p));

/**
 * The commits principals made on jobs, newest first — the job half of `GET /v1/audit` until issue 11
 * records every command's principal, token and source in the commit metadata.
 *
 * ```sql
 * select "seq", min("time") as "time", "actor", "job_id", array_agg("type" order by "idx") as "types",
 *   (array_agg("message" order by "idx"))[1] as "message"
 * from "trainyard"."job_events" where "actor" like 'user:%' [and "actor" = $] [and "job_id" = $]
 *   [and "time" >= $] [and "time" < $] [and "seq" < $]
 * group by "seq", "actor", "job_id" order by "seq" desc limit $n
 * ```
 */
export async function listJobAudit(db: Kysely<Database>, q: JobAuditQuery): Promise<JobAuditEntry[]> {
  let query = db
    .selectFrom('job_events')
    .select([
      'seq',
      sql<Date>`min(time)`.as('time'),
      'actor',
      'job_id',
      sql<string[]>`array_agg(type order by idx)`.as('types'),
      sql<string>`(array_agg(message order by idx))[1]`.as('message'),
      sql<string>`coalesce(jobs.spec->'metadata'->>'project', 'default')`.as('project'),
    ])
    .leftJoin('jobs', 'jobs.id', 'job_events.job_id')
    .where((eb) => eb.or(PRINCIPAL_ACTOR_PREFIXES.map((p) => eb('actor', 'like', `${p}%`))));
  if (q.projects) query = query.where(sql`coalesce(jobs.spec->'metadata'->>'project', 'default')`, 'in', q.projects.length ? [...q.projects] : ['']);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.jobId) query = query.where('job_id', '=', q.jobId);
  if (q.since) query = query.where('time', '>=', q.since);
  if (q.until) query = query.where('time', '<', q.until);
  if (q.beforeSeq !== undefined) query = query.where('seq', '<', q.beforeSeq);
  const rows = await query.groupBy(['seq', 'actor', 'job_id', sql`coalesce(jobs.spec->'metadata'->>'project', 'default')`]).orderBy('seq', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({ seq: Number(r.seq), time: iso(r.time), actor: r.actor, jobId: r.job_id, types: r.types, message: r.message, project: r.project }));
}
