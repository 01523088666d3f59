import type { NatsConnection } from '@nats-io/transport-node';
import type { StoredCommit } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsServer, startNatsServer } from '@trainyard/testing';
import { listDeadLetters } from '../queries/dead-letter-queries';
import { getJob } from '../queries/job-queries';
import { listJobEvents } from '../queries/job-event-queries';
import { rebuildInto } from '../rebuild/rebuild-into';
import { dropSchema, schemaExists } from '../rebuild/schema-admin';
import { verifyProjections } from '../rebuild/verify-projections';
import { CommitBuilder, jobLife, registerNode, BACKENDS, useBackend } from '@trainyard/testing/db';
import { readCheckpoint } from './checkpoint';
import { ProjectionTimeout } from './projection-timeout';
import { Projector } from './projector';

// One private nats-server for the file: the stream is shared, so every test projects the commits of
// the tests before it too, and asserts on its own jobs (ids carry the backend name).
let server: NatsServer;
let nc: NatsConnection;
let log: JetStreamEventLog;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats(server.url, 'db-projector-test');
  await ensureStreams(nc);
  log = new JetStreamEventLog(nc);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** Appends hand-built commits to the real log; returns the stream sequence of the last one. */
async function append(commits: StoredCommit[]): Promise<number> {
  let seq = 0;
  for (const c of commits) seq = (await log.append(c.subject, c.events, { ...c.meta, commandId: `${c.meta.commandId}-${Math.random()}` }, 'any')).seq;
  return seq;
}

const quiet = () => {};

describe.each(BACKENDS)('projector on %s', (backend) => {
  const pg = useBackend(backend);
  const id = (name: string) => `${name}-${backend}`;

  it('projector - applies what the log holds, then follows it live; waitFor reads its own write', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    await append([registerNode(b, 'n1'), registerNode(b, 'n2'), ...jobLife(b, id('live-1'))]);
    const projector = new Projector({ db: t.db, eventLog: log, batchSize: 3 });
    await projector.start();
    try {
      await projector.caughtUp();
      expect(await getJob(t.db, id('live-1'))).toMatchObject({ state: 'completed' });

      const seq = await append(jobLife(b, id('live-2')).slice(0, 2));
      await projector.waitFor(seq, 10_000);
      expect(projector.position()).toBeGreaterThanOrEqual(seq);
      expect(await getJob(t.db, id('live-2'))).toMatchObject({ state: 'waiting', lastSeq: seq });
      expect(await readCheckpoint(t.db)).toBe(projector.position());
    } finally {
      await projector.stop();
    }
  });

  it('projector - waitFor rejects with ProjectionTimeout for a sequence that does not come, and on stop', async () => {
    await using t = await pg.open();
    const projector = new Projector({ db: t.db, eventLog: log });
    await projector.start();
    await projector.caughtUp();
    const end = projector.position();
    await expect(projector.waitFor(end, 1)).resolves.toBeUndefined();
    await expect(projector.waitFor(end + 1000, 20)).rejects.toBeInstanceOf(ProjectionTimeout);
    const pending = projector.waitFor(end + 1000, 60_000);
    await projector.stop();
    await expect(pending).rejects.toMatchObject({ name: 'ProjectionTimeout', seq: end + 1000 });
  });

  it('projector - stopped after some commits and restarted, it resumes at its checkpoint and the tables equal a rebuild', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const life = jobLife(b, id('restart'));
    const first = new Projector({ db: t.db, eventLog: log, batchSize: 2 });
    await first.start();
    const mid = await append(life.slice(0, 4));
    await first.waitFor(mid, 10_000);
    await first.stop();
    expect(await readCheckpoint(t.db)).toBe(mid);
    expect(await getJob(t.db, id('restart'))).toMatchObject({ state: 'running' });

    const end = await append([...life.slice(4), ...jobLife(b, id('restart-2'))]);
    const second = new Projector({ db: t.db, eventLog: log, batchSize: 2 });
    await second.start();
    expect(second.position()).toBe(mid);
    try {
      await second.waitFor(end, 10_000);
      expect(await getJob(t.db, id('restart'))).toMatchObject({ state: 'completed' });
      expect(await listJobEvents(t.db, id('restart'))).toHaveLength(9); // each event once
      const verdict = await verifyProjections(t.db, t.schema, log);
      expect(verdict).toEqual({ equal: true, differences: [], seq: end, quarantined: [] });
    } finally {
      await second.stop();
    }
  });

  it('projector - two projectors on the same tables apply every commit once', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const one = new Projector({ db: t.db, eventLog: log, batchSize: 1 });
    const two = new Projector({ db: t.db, eventLog: log, batchSize: 4 });
    await Promise.all([one.start(), two.start()]);
    try {
      const end = await append([...jobLife(b, id('twin-1')), ...jobLife(b, id('twin-2'))]);
      await Promise.all([one.waitFor(end, 10_000), two.waitFor(end, 10_000)]);
      expect(await listJobEvents(t.db, id('twin-2'))).toHaveLength(9);
      expect((await verifyProjections(t.db, t.schema, log)).equal).toBe(true);
    } finally {
      await Promise.all([one.stop(), two.stop()]);
    }
  });

  it('projector - a transient failure (a table gone away) is retried until it clears: nothing skipped, repeated or quarantined', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const errors: unknown[] = [];
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const projector = new Projector({
      db: t.db,
      eventLog: log,
      retryDelayMs: 10,
      onError: (error) => {
        errors.push(error);
        failed();
      },
    });
    await projector.start();
    try {
      await projector.caughtUp();
      // Without its tasks table the projection cannot write a JobCreated.
      await sql`alter table ${sql.id(t.schema, 'tasks')} rename to tasks_away`.execute(t.db);
      const end = await append(jobLife(b, id('retry')));
      await firstFailure;
      expect(projector.position()).toBeLessThan(end);
      // Long enough for many more retries than a poison commit gets: none of them quarantines.
      await new Promise((r) => setTimeout(r, 300));
      expect(projector.health().failing).toMatchObject({ code: '42P01', from: projector.position() + 1 });
      await sql`alter table ${sql.id(t.schema, 'tasks_away')} rename to tasks`.execute(t.db);

      await projector.waitFor(end, 10_000);
      expect(errors.length).toBeGreaterThan(3);
      expect(projector.health()).toMatchObject({ failing: null, quarantined: 0 });
      expect(await listDeadLetters(t.db, { state: 'all' })).toEqual([]);
      expect(await getJob(t.db, id('retry'))).toMatchObject({ state: 'completed' });
      expect((await verifyProjections(t.db, t.schema, log)).equal).toBe(true);
    } finally {
      await projector.stop();
    }
  });

  it('rebuildInto - replays the whole log into a fresh schema, and refuses an existing one unless told to replace it', async () => {
    await using t = await pg.open();
    const scratch = `${t.schema}_rb`;
    try {
      const end = await log.lastSeq();
      expect(await rebuildInto(t.handle.db, scratch, log)).toBe(end);
      const rebuilt = t.handle.db.withSchema(scratch);
      expect(await readCheckpoint(rebuilt)).toBe(end);
      expect(await getJob(rebuilt, id('live-1'))).toMatchObject({ state: 'completed' });
      await expect(rebuildInto(t.handle.db, scratch, log)).rejects.toThrow(/already exists/);
      expect(await rebuildInto(t.handle.db, scratch, log, { replace: true, upTo: 3 })).toBe(3);
    } finally {
      await dropSchema(t.handle.db, scratch);
    }
  });

  it('verifyProjections - detects a tampered row and a missing row, then drops its scratch schema', async () => {
    await using t = await pg.open();
    const projector = new Projector({ db: t.db, eventLog: log, onError: quiet });
    await projector.start();
    await projector.caughtUp();
    await projector.stop();
    const seq = projector.position();

    const job = id('live-1');
    await t.db.updateTable('jobs').set({ state: 'running' }).where('id', '=', job).execute();
    const firstEvent = (await listJobEvents(t.db, job))[0];
    await t.db.deleteFrom('job_events').where('seq', '=', firstEvent.seq).where('idx', '=', 0).execute();

    const verdict = await verifyProjections(t.db, t.schema, log);
    expect(verdict.equal).toBe(false);
    expect(verdict.seq).toBe(seq);
    expect(verdict.differences).toEqual([
      {
        table: 'jobs',
        key: { id: job },
        live: expect.objectContaining({ id: job, state: 'running' }),
        rebuilt: expect.objectContaining({ id: job, state: 'completed' }),
      },
      {
        table: 'job_events',
        key: { seq: firstEvent.seq, idx: 0 },
        live: null,
        rebuilt: expect.objectContaining({ job_id: job, type: 'JobCreated', message_zh: '训练作业创建成功' }),
      },
    ]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from information_schema.schemata where schema_name like ${`${t.schema}_verify_%`}`.execute(t.db);
    expect(rows[0].n).toBe(0);
    expect(await schemaExists(t.db, t.schema)).toBe(true);
  });
});
