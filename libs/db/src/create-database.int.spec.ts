import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshSchema } from '@trainyard/testing';
import { createDatabase } from './create-database';
import { migrate } from './migrate';
import { projectCommits } from './projection/apply-commit';
import { readCheckpoint } from './projection/checkpoint';
import { getJob } from './queries/job-queries';
import { CommitBuilder, jobLife } from '@trainyard/testing/db';

describe('createDatabase', () => {
  it('createDatabase - PGlite in a data directory keeps the read models across a reopen', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ty-pglite-'));
    try {
      {
        await using handle = createDatabase({ dataDir });
        expect(handle).toMatchObject({ backend: 'pglite', schema: 'trainyard' });
        await migrate(handle.db, handle.schema);
        await projectCommits(handle.db, jobLife(new CommitBuilder(), 'job-p'));
      }
      await using again = createDatabase({ dataDir });
      expect(await readCheckpoint(again.db)).toBe(7);
      expect(await getJob(again.db, 'job-p')).toMatchObject({ state: 'completed' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('createDatabase - a URL opens a pg pool whose int8 columns read as numbers, bound to the schema', async () => {
    await using s = await freshSchema();
    await using handle = createDatabase({ url: s.url, schema: s.schema });
    expect(handle.backend).toBe('postgres');
    await migrate(handle.db, handle.schema);
    await projectCommits(handle.db, jobLife(new CommitBuilder(9_007_199_254_740_000), 'job-big'));
    expect(await readCheckpoint(handle.db)).toBe(9_007_199_254_740_006);
    expect((await getJob(handle.db, 'job-big'))?.lastSeq).toBe(9_007_199_254_740_006);
  });

  it('createDatabase - an idle connection the server cuts (a PostgreSQL restart) is told and replaced, not a crash', async () => {
    await using s = await freshSchema();
    const told: Error[] = [];
    await using handle = createDatabase({ url: s.url, schema: s.schema, poolSize: 1, onIdleError: (err) => told.push(err) });
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)).rows[0]!.pid;
    // What a restart does to every connection: the server ends this one while it sits in the pool.
    const admin = new pg.Client({ connectionString: s.url });
    await admin.connect();
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
    for (let i = 0; i < 50 && told.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(told.map((e) => e.message)).toEqual([expect.stringMatching(/terminat/i)]);
    const again = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)).rows[0]!.pid;
    expect(again).not.toBe(pid);
  });

  it('createDatabase - a connection cut in the middle of a query fails that query, not the process, and the next query gets a new one', async () => {
    await using s = await freshSchema();
    await using handle = createDatabase({ url: s.url, schema: s.schema, poolSize: 1, onIdleError: () => undefined });
    const pid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)).rows[0]!.pid;
    // Settled at once into a value, so the rejection is never unhandled while the test waits.
    const running = sql`select pg_sleep(5)`.execute(handle.db).then(() => 'finished', (err: Error) => err.message);
    const admin = new pg.Client({ connectionString: s.url });
    await admin.connect();
    await new Promise((r) => setTimeout(r, 200));
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await admin.end();
    expect(await running).toMatch(/terminat/i);
    // The server's FATAL can come before the socket closes, so the pool may hand the dying connection
    // out once more: that query fails too (callers retry), and the one after gets a new connection.
    let again: number | undefined;
    for (let i = 0; i < 3 && again === undefined; i++) {
      again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db).then((r) => r.rows[0]!.pid, () => undefined);
    }
    expect(again).toBeDefined();
    expect(again).not.toBe(pid);
  });

  it('createDatabase - rejects a schema name that is not a plain identifier', () => {
    expect(() => createDatabase({ schema: 'Robert"; drop' })).toThrow(RangeError);
  });
});
