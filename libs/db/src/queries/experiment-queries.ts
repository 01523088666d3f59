import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { iso } from './iso';
import { PROJECT_OF_JOB } from './job-queries';

/** One experiment as listed: how many (not deleted) jobs it holds and when its newest one was created. */
export interface ExperimentSummary {
  experiment: string;
  jobs: number;
  lastCreatedAt: string;
}

/**
 * Every experiment that holds a job (an experiment exists while a job names it in
 * `metadata.experiment`), the newest first; only jobs of `projects` count when given.
 *
 * ```sql
 * select spec->'metadata'->>'experiment' as "experiment", count(*) as "jobs", max("created_at") as "last_created_at"
 * from "trainyard"."jobs" where "state" <> $1 and spec->'metadata'->>'experiment' is not null
 * group by spec->'metadata'->>'experiment' order by "last_created_at" desc, "experiment" limit $2
 * ```
 */
export async function listExperiments(db: Kysely<Database>, query: { projects?: readonly string[]; limit: number }): Promise<ExperimentSummary[]> {
  const experiment = sql<string>`spec->'metadata'->>'experiment'`;
  let q = db.selectFrom('jobs').where('state', '<>', 'deleted').where(experiment, 'is not', null);
  if (query.projects) q = q.where(PROJECT_OF_JOB, 'in', query.projects.length ? [...query.projects] : ['']);
  const rows = await q
    .select([experiment.as('experiment'), (eb) => eb.fn.countAll<number>().as('jobs'), (eb) => eb.fn.max('created_at').as('last_created_at')])
    .groupBy(experiment)
    .orderBy('last_created_at', 'desc')
    .orderBy('experiment')
    .limit(query.limit)
    .execute();
  return rows.map((r) => ({ experiment: r.experiment, jobs: Number(r.jobs), lastCreatedAt: iso(r.last_created_at as Date) as string }));
}
