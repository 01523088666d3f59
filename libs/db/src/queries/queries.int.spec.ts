import { describe, expect, it } from 'vitest';
import { migrate, migrateDown } from '../migrate';
import { projectCommits } from '../projection/apply-commit';
import { schemaExists } from '../rebuild/schema-admin';
import { at, CommitBuilder, ev, jobLife, spec } from '../test-support/commit-builder';
import { BACKENDS, useBackend } from '../test-support/db-backends';
import { getJob, listJobs } from './job-queries';
import { appendLogLines, lastLogAttempt, type LogLineInput, readLogLines } from './log-line-queries';

const line = (attempt: number, seq: number, text = `line ${seq}`, stream: 'stdout' | 'stderr' = 'stdout'): LogLineInput => ({
  jobId: 'job-l',
  task: 'worker-0',
  attempt,
  seq,
  ts: at(seq),
  stream,
  text,
});

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

  it('log lines - appending is idempotent; reads go by attempt (default the last), after a line, up to a limit', async () => {
    await using t = await pg.open();
    expect(await lastLogAttempt(t.db, 'job-l', 'worker-0')).toBe(0);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', limit: 10 })).toEqual([]);

    expect(await appendLogLines(t.db, [line(1, 1), line(1, 2), line(1, 3, 'oops', 'stderr')])).toBe(3);
    expect(await appendLogLines(t.db, [line(1, 2), line(1, 3), line(1, 4)])).toBe(1); // a re-delivered batch
    expect(await appendLogLines(t.db, [line(2, 1, 'again')])).toBe(1);
    expect(await appendLogLines(t.db, [])).toBe(0);

    expect(await lastLogAttempt(t.db, 'job-l', 'worker-0')).toBe(2);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', limit: 10 })).toEqual([
      { attempt: 2, seq: 1, ts: at(1), stream: 'stdout', text: 'again' },
    ]);
    const first = await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', attempt: 1, afterSeq: 1, limit: 2 });
    expect(first).toEqual([
      { attempt: 1, seq: 2, ts: at(2), stream: 'stdout', text: 'line 2' },
      { attempt: 1, seq: 3, ts: at(3), stream: 'stderr', text: 'oops' },
    ]);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-1', limit: 10 })).toEqual([]);
  });

  it('migrations - down drops every table, up brings them back, and up twice is a no-op', async () => {
    await using t = await pg.open();
    await projectCommits(t.db, jobLife(new CommitBuilder(), 'job-m'));
    expect(await migrate(t.db, t.schema)).toEqual([]);
    const down = await migrateDown(t.db, t.schema);
    expect(down.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ['0002-scheduling', 'Down', 'Success'],
      ['0001-read-models', 'Down', 'Success'],
    ]);
    await expect(listJobs(t.db, { limit: 1, offset: 0 })).rejects.toThrow();
    const up = await migrate(t.db, t.schema);
    expect(up.map((r) => r.status)).toEqual(['Success', 'Success']);
    expect(await listJobs(t.db, { limit: 1, offset: 0 })).toEqual({ items: [], total: 0 });
    expect(await schemaExists(t.db, t.schema)).toBe(true);
  });
});
