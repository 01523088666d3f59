import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, migrateDown } from '../migrate';
import { projectCommits } from '../projection/apply-commit';
import { schemaExists } from '../rebuild/schema-admin';
import { at, CommitBuilder, ev, jobLife, spec, BACKENDS, useBackend } from '@trainyard/testing/db';
import { getJob, listJobs } from './job-queries';

describe.each(BACKENDS)('queries on %s', (backend) => {
  const pg = useBackend(backend);

  it('listJobs - pages newest first with the total, and filters by state', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const created = (id: string, minute: number) =>
      b.job(id, [ev('JobCreated', minute, { jobId: id, spec: spec(id, 1), tasks: ['worker-0'], createdBy: 'alice' })]);
    await projectCommits(t.db, [created('j1', 1), created('j2', 2), created('j3', 3), created('j4', 3)]);
    await projectCommits(t.db, [b.job('j2', [ev('JobQueued', 4, { priority: 1 })])]);

    const page1 = await listJobs(t.db, { limit: 2, offset: 0 });
    expect(page1.total).toBe(4);
    // Same created_at: the id breaks the tie, so pages never overlap.
    expect(page1.items.map((j) => j.id)).toEqual(['j4', 'j3']);
    expect((await listJobs(t.db, { limit: 2, offset: 2 })).items.map((j) => j.id)).toEqual(['j2', 'j1']);
    expect(await listJobs(t.db, { limit: 2, offset: 10 })).toEqual({ items: [], total: 4 });

    expect(await listJobs(t.db, { state: 'waiting', limit: 10, offset: 0 })).toEqual({
      total: 1,
      items: [
        {
          id: 'j2',
          name: 'j2',
          state: 'waiting',
          priority: 1,
          nodeCount: 1,
          attempt: 0,
          createdAt: at(2),
          startedAt: null,
          endedAt: null,
          updatedAt: at(4),
        },
      ],
    });
    expect((await listJobs(t.db, { state: ['waiting', 'creating'], limit: 10, offset: 0 })).total).toBe(4);
    expect((await listJobs(t.db, { state: [], limit: 10, offset: 0 })).total).toBe(0);
    expect(await getJob(t.db, 'nope')).toBeUndefined();
  });

  it('migrations - down drops every table, up brings them back, and up twice is a no-op', async () => {
    await using t = await pg.open();
    await projectCommits(t.db, jobLife(new CommitBuilder(), 'job-m'));
    expect(await migrate(t.db, t.schema)).toEqual([]);
    const down = await migrateDown(t.db, t.schema);
    expect(down.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
      Object.keys(MIGRATIONS).reverse().map((name) => [name, 'Down', 'Success']),
    );
    await expect(listJobs(t.db, { limit: 1, offset: 0 })).rejects.toThrow();
    const up = await migrate(t.db, t.schema);
    expect(up.map((r) => r.status)).toEqual(Object.keys(MIGRATIONS).map(() => 'Success'));
    expect(await listJobs(t.db, { limit: 1, offset: 0 })).toEqual({ items: [], total: 0 });
    expect(await schemaExists(t.db, t.schema)).toBe(true);
  });
});
