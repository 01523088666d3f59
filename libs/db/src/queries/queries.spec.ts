import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../database';
import { lockCheckpoint, readCheckpoint } from '../projection/checkpoint';
import { writeChanges } from '../projection/write-changes';
import { listJobEvents } from './job-event-queries';
import { getJob, listJobs } from './job-queries';
import { listNodes } from './node-queries';

/** A kysely that compiles for PostgreSQL, runs nothing, and records every statement. */
function recordingDb() {
  const statements: { sql: string; parameters: readonly unknown[] }[] = [];
  const db = new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (e) => {
      statements.push({ sql: e.query.sql, parameters: e.query.parameters });
    },
  }).withSchema('trainyard');
  return { db, statements, sql: () => statements.map((s) => s.sql) };
}

describe('read-model SQL', () => {
  it('listJobs - pages and counts with one filter, newest first; deleted jobs hidden by default', async () => {
    const r = recordingDb();
    await listJobs(r.db, { limit: 20, offset: 40 });
    expect(r.statements).toEqual([
      {
        sql: 'select "id", "name", "state", "priority", "node_count", "attempt", "created_at", "started_at", "ended_at", "updated_at", "created_by", "description", coalesce(spec->\'metadata\'->>\'project\', \'default\') as "project", spec->\'metadata\'->\'tags\' as "tags", spec->\'metadata\'->>\'experiment\' as "experiment" from "trainyard"."jobs" where "state" <> $1 order by "created_at" desc, "id" desc limit $2 offset $3',
        parameters: ['deleted', 20, 40],
      },
      { sql: 'select count(*) as "total" from "trainyard"."jobs" where "state" <> $1', parameters: ['deleted'] },
    ]);
    const s = recordingDb();
    await listJobs(s.db, { state: ['waiting', 'running'], limit: 5, offset: 0 });
    expect(s.statements[1]).toEqual({ sql: 'select count(*) as "total" from "trainyard"."jobs" where "state" in ($1, $2)', parameters: ['waiting', 'running'] });
    // A caller's readable projects narrow the list (issue 11).
    const p = recordingDb();
    await listJobs(p.db, { projects: ['p1', 'p2'], limit: 5, offset: 0 });
    expect(p.statements[1]).toEqual({
      sql: 'select count(*) as "total" from "trainyard"."jobs" where "state" <> $1 and coalesce(spec->\'metadata\'->>\'project\', \'default\') in ($2, $3)',
      parameters: ['deleted', 'p1', 'p2'],
    });
  });

  it('getJob - the job and its tasks by index', async () => {
    const r = recordingDb();
    await getJob(r.db, 'j1');
    expect(r.sql()).toEqual([
      'select * from "trainyard"."jobs" where "id" = $1',
      'select * from "trainyard"."tasks" where "job_id" = $1 order by "index"',
    ]);
  });

  it('listJobEvents - by job in log order, optionally after a sequence', async () => {
    const r = recordingDb();
    await listJobEvents(r.db, 'j1');
    await listJobEvents(r.db, 'j1', { afterSeq: 7, limit: 100 });
    expect(r.sql()).toEqual([
      'select * from "trainyard"."job_events" where "job_id" = $1 order by "seq", "idx"',
      'select * from "trainyard"."job_events" where "job_id" = $1 and "seq" > $2 order by "seq", "idx" limit $3',
    ]);
  });

  it('listNodes - nodes with the summed flavors of their occupying tasks', async () => {
    const r = recordingDb();
    await listNodes(r.db);
    const flavor = (f: string) => `coalesce(sum((j.spec #>> '{spec,resource,flavor,${f}}')::float8), 0)`;
    expect(r.statements).toEqual([
      {
        sql:
          'select "n"."id", "n"."host", "n"."pool", "n"."capacity", "n"."labels", "n"."registered_at", ' +
          'coalesce("u"."cpu", $1) as "used_cpu", coalesce("u"."memory", $2) as "used_memory", coalesce("u"."gpu", $3) as "used_gpu", coalesce("u"."npu", $4) as "used_npu" ' +
          'from "trainyard"."nodes" as "n" left join (' +
          `select "t"."node_id", ${flavor('cpu')} as "cpu", ${flavor('memoryMiB')} as "memory", ${flavor('gpu')} as "gpu", ${flavor('npu')} as "npu" ` +
          'from "trainyard"."tasks" as "t" inner join "trainyard"."jobs" as "j" on "j"."id" = "t"."job_id" ' +
          'where ("t"."state" in ($5, $6) or ("t"."state" in ($7, $8) and "j"."state" = $9 and "t"."attempt" = "j"."attempt" and "t"."node_id" is not null)) group by "t"."node_id"' +
          ') as "u" on "u"."node_id" = "n"."id" order by "n"."id"',
        parameters: [0, 0, 0, 0, 'assigned', 'running', 'failed', 'succeeded', 'running'],
      },
    ]);
  });

  it('checkpoint - read, and lock-or-create in one statement', async () => {
    const r = recordingDb();
    await readCheckpoint(r.db, 'read-models');
    await lockCheckpoint(r.db, 'read-models').catch(() => undefined); // the dummy driver returns no row
    expect(r.sql()).toEqual([
      'select "seq" from "trainyard"."projection_checkpoint" where "name" = $1',
      'insert into "trainyard"."projection_checkpoint" ("name", "seq") values ($1, $2) on conflict ("name") do update set "seq" = "trainyard"."projection_checkpoint"."seq" returning "seq"',
    ]);
  });

  it('projection writes - job updates of a batch merge into one, the first start wins; a task update is guarded by its attempt; node registration upserts', async () => {
    const r = recordingDb();
    await writeChanges(r.db, [
      { kind: 'update-job', id: 'j1', set: { state: 'running', last_seq: 4 }, setIfNull: { started_at: 'first' } },
      { kind: 'update-task', jobId: 'j1', name: 'worker-0', attempt: 2, set: { state: 'running' } },
      { kind: 'update-job', id: 'j1', set: { state: 'completed', last_seq: 5 }, setIfNull: { started_at: 'second' } },
      {
        kind: 'upsert-node',
        row: { id: 'n1', host: 'h', pool: 'p', capacity: '{}', labels: '{}', registered_at: '2026-03-01T08:00:00.000Z', last_seq: 3 },
      },
    ]);
    expect(r.statements.at(-1)).toEqual({
      sql: 'update "trainyard"."jobs" set "state" = $1, "last_seq" = $2, "started_at" = coalesce("started_at", $3) where "id" = $4',
      parameters: ['completed', 5, 'first', 'j1'],
    });
    expect(r.sql().slice(0, -1)).toEqual([
      'update "trainyard"."tasks" set "state" = $1 where "job_id" = $2 and "name" = $3 and "attempt" <= $4',
      'insert into "trainyard"."nodes" ("id", "host", "pool", "capacity", "labels", "registered_at", "last_seq") values ($1, $2, $3, $4, $5, $6, $7) ' +
        'on conflict ("id") do update set "host" = "excluded"."host", "pool" = "excluded"."pool", "capacity" = "excluded"."capacity", "labels" = "excluded"."labels", "registered_at" = "excluded"."registered_at", "last_seq" = "excluded"."last_seq"',
    ]);
  });
});
