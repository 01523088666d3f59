import { readFileSync } from 'node:fs';
import { type JobEvent, type StoredCommit, Subjects } from '@trainyard/contracts';
import { evolveTrainingJob, initialTrainingJob } from '@trainyard/domain';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { type Database, PROJECTION_TABLES, type ProjectionTable } from '../database';
import { getJob, listJobs } from '../queries/job-queries';
import { listNodes } from '../queries/node-queries';
import { JOB_STATES } from '../states';
import { BACKENDS, useBackend } from '@trainyard/testing/db';
import { projectCommits } from './apply-commit';

// A recorded history (STYLE 14): replaying it must keep giving the rows pinned beside it. A change
// to the projection that alters them shows up here as a diff to review (`vitest -u` accepts it).
const HISTORY = new URL('../../testdata/histories/cluster-day.jsonl', import.meta.url);
const ROWS = '../../testdata/histories/cluster-day.rows.json';

const commits: StoredCommit[] = readFileSync(HISTORY, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));

async function dump(db: Kysely<Database>) {
  const tables: Record<string, unknown[]> = {};
  for (const [table, pk] of Object.entries(PROJECTION_TABLES) as [ProjectionTable, readonly string[]][]) {
    let q = db.selectFrom(table).selectAll();
    for (const c of pk) q = q.orderBy(c as never);
    tables[table] = await q.execute();
  }
  const jobs = await listJobs(db, { state: JOB_STATES, limit: 100, offset: 0 });
  // JSON turns Dates into ISO strings, the same on both backends.
  return JSON.parse(JSON.stringify({ tables, views: { jobs, nodes: await listNodes(db) } }));
}

describe.each(BACKENDS)('recorded history on %s', (backend) => {
  const pg = useBackend(backend);

  it('history replay - cluster-day gives the pinned rows, whatever the batch size', async () => {
    await using one = await pg.open();
    for (const c of commits) await projectCommits(one.db, [c]);
    await using batched = await pg.open();
    for (let i = 0; i < commits.length; i += 7) await projectCommits(batched.db, commits.slice(i, i + 7));

    const rows = await dump(one.db);
    expect(await dump(batched.db)).toEqual(rows);
    await expect(`${JSON.stringify(rows, null, 1)}\n`).toMatchFileSnapshot(ROWS);
  });

  it('history replay - every job row agrees with the domain fold (evolveTrainingJob) of its commits', async () => {
    await using t = await pg.open();
    await projectCommits(t.db, commits);
    const byJob = new Map<string, StoredCommit[]>();
    for (const c of commits) {
      const aggregate = Subjects.parseAggregate(c.subject);
      if (aggregate?.kind === 'job') byJob.set(aggregate.id, [...(byJob.get(aggregate.id) ?? []), c]);
    }
    expect(byJob.size).toBe(4);
    for (const [jobId, jobCommits] of byJob) {
      const state = jobCommits.flatMap((c) => c.events as JobEvent[]).reduce(evolveTrainingJob, initialTrainingJob());
      if (state.status === 'none') throw new Error(`no JobCreated for ${jobId}`);
      const view = await getJob(t.db, jobId);
      expect({ jobId, ...view }).toMatchObject({
        jobId,
        state: state.status,
        priority: state.priority,
        attempt: state.attempt,
        dispatched: state.dispatched,
        createdAt: state.createdAt,
        startedAt: state.startedAt ?? null,
        endedAt: state.endedAt ?? null,
        createdBy: state.createdBy,
        tasks: state.tasks.map((x) => ({ name: x.name, index: x.index, state: x.status, attempt: x.attempt, exitCode: x.exitCode, procStartCount: x.procStartCount })),
      });
    }
  });
});
