import { jetstream } from '@nats-io/jetstream';
import { type StoredCommit, Subjects } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { registry } from '@trainyard/telemetry';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '@trainyard/testing';
import { BACKENDS, CommitBuilder, ev, jobLife, spec, useBackend } from '@trainyard/testing/db';
import { getDeadLetter, listDeadLetters } from '../queries/dead-letter-queries';
import { listJobEvents } from '../queries/job-event-queries';
import { getJob } from '../queries/job-queries';
import { verifyProjections } from '../rebuild/verify-projections';
import { readCheckpoint } from './checkpoint';
import { Projector } from './projector';
import { retryProjectionDeadLetter } from './retry-dead-letter';

/** A private nats-server per test: the dead letters a test sees are its own. */
async function openLog() {
  const server = await startNatsServer();
  const nc = await connectNats(server.url, 'db-quarantine-test');
  await ensureStreams(nc);
  const log = new JetStreamEventLog(nc);
  /** Appends hand-built commits; returns the stream sequence of each. */
  const append = async (commits: StoredCommit[]) => {
    const seqs: number[] = [];
    for (const c of commits) seqs.push((await log.append(c.subject, c.events, { ...c.meta, commandId: `${c.meta.commandId}-${Math.random()}` }, 'any')).seq);
    return seqs;
  };
  return {
    nc,
    log,
    append,
    async [Symbol.asyncDispose]() {
      await nc.close();
      await server.stop();
    },
  };
}

const quiet = () => {};
const deadLettersCounted = async (code: RegExp) => {
  const metric = await registry.getSingleMetric('trainyard_dead_letters_total')?.get();
  return (metric?.values ?? []).filter((v) => v.labels.consumer === 'projection:read-models' && code.test(String(v.labels.code))).reduce((n, v) => n + v.value, 0);
};

describe.each(BACKENDS)('projector quarantine on %s', (backend) => {
  const pg = useBackend(backend);

  it('projector - a commit PostgreSQL refuses (NUL in the spec) is quarantined after its retries; the commits around it are applied', async () => {
    await using t = await pg.open();
    await using l = await openLog();
    const b = new CommitBuilder();
    const poisoned = spec('poisoned');
    poisoned.metadata.description = 'nul \u0000 here';
    poisoned.algorithm.command = '\u0000';
    // In one batch with good commits on both sides, as a busy log delivers them.
    const commits = [
      ...jobLife(b, 'before'),
      b.job('poisoned', [ev('JobCreated', 0, { jobId: 'poisoned', spec: poisoned, tasks: ['worker-0'], createdBy: 'mallory' })]),
      ...jobLife(b, 'after'),
    ];
    const seqs = await l.append(commits);
    const poisonSeq = seqs[7];
    const countedBefore = await deadLettersCounted(/^22/);
    const errors: unknown[] = [];
    const projector = new Projector({ db: t.db, eventLog: l.log, retryDelayMs: 20, onError: (e) => errors.push(e), onQuarantined: quiet });
    await projector.start();
    try {
      await projector.waitFor(seqs.at(-1)!, 20_000);
      expect(await getJob(t.db, 'before')).toMatchObject({ state: 'completed' });
      expect(await getJob(t.db, 'after')).toMatchObject({ state: 'completed' });
      expect(await getJob(t.db, 'poisoned')).toBeUndefined();
      expect(await readCheckpoint(t.db)).toBe(seqs.at(-1));

      const [letter] = await listDeadLetters(t.db);
      expect(letter).toMatchObject({
        consumer: 'projection:read-models', stream: 'TY_EVENTS', seq: poisonSeq, subject: Subjects.job('poisoned'),
        code: expect.stringMatching(/^22/), attempts: 3, state: 'quarantined', retryable: true,
      });
      expect(Date.parse(letter.quarantinedAt)).toBeGreaterThanOrEqual(Date.parse(letter.firstFailedAt));
      expect(await listDeadLetters(t.db, { state: 'all' })).toHaveLength(1);
      expect(projector.health()).toEqual({ position: seqs.at(-1), failing: null, quarantined: 1 });
      // The failed batch, then the commit alone three times (twice more after back-off).
      expect(errors.length).toBeGreaterThanOrEqual(4);
      expect(await deadLettersCounted(/^22/)).toBe(countedBefore + 1);

      // A rebuild skips the same commit: the projections are equal, and degraded by it.
      expect(await verifyProjections(t.db, t.schema, l.log)).toEqual({ equal: true, differences: [], seq: seqs.at(-1), quarantined: [poisonSeq] });
    } finally {
      await projector.stop();
    }
  });

  it('projector - bytes that do not decode are quarantined at once with their bytes, in order', async () => {
    await using t = await pg.open();
    await using l = await openLog();
    const b = new CommitBuilder();
    const [first] = await l.append(jobLife(b, 'good-1').slice(0, 2));
    const garbage = new TextEncoder().encode('{"events": not json');
    const { seq: garbageSeq } = await jetstream(l.nc).publish(Subjects.job('garbage'), garbage);
    const after = await l.append(jobLife(b, 'good-2'));
    const projector = new Projector({ db: t.db, eventLog: l.log, onError: quiet, onQuarantined: quiet });
    await projector.start();
    try {
      await projector.waitFor(after.at(-1)!, 20_000);
      expect(first).toBeLessThan(garbageSeq);
      expect(await getJob(t.db, 'good-2')).toMatchObject({ state: 'completed' });
      const [letter] = await listDeadLetters(t.db);
      expect(letter).toMatchObject({ seq: garbageSeq, code: 'MalformedCommit', attempts: 1, payloadBytes: garbage.byteLength });
      expect(Buffer.from((await getDeadLetter(t.db, Number(letter.id.slice(3))))!.payload!)).toEqual(Buffer.from(garbage));
      expect(await verifyProjections(t.db, t.schema, l.log)).toMatchObject({ equal: true, quarantined: [garbageSeq] });
    } finally {
      await projector.stop();
    }
  });

  it('projector - an event version this build cannot upcast is quarantined, not guessed at', async () => {
    await using t = await pg.open();
    await using l = await openLog();
    const b = new CommitBuilder();
    const [created] = await l.append(jobLife(b, 'versioned').slice(0, 1));
    const [future] = await l.append([b.job('versioned', [{ ...ev('JobQueued', 1, { priority: 2 }), version: 2 }])]);
    const projector = new Projector({ db: t.db, eventLog: l.log, onError: quiet, onQuarantined: quiet });
    await projector.start();
    try {
      await projector.waitFor(future, 20_000);
      expect(await getJob(t.db, 'versioned')).toMatchObject({ state: 'creating', lastSeq: created });
      expect(await listDeadLetters(t.db)).toMatchObject([{ seq: future, code: 'UnknownEventType', attempts: 1, message: expect.stringContaining('version 2') }]);
    } finally {
      await projector.stop();
    }
  });

  it('retryProjectionDeadLetter - after the fix, the quarantined commit is applied by projecting its job again; verify shows the gap before', async () => {
    await using t = await pg.open();
    await using l = await openLog();
    // The "bug": a constraint the data breaks. Fixing it is dropping the constraint.
    await sql`alter table ${sql.id(t.schema, 'jobs')} add constraint no_forbidden check (name <> 'forbidden')`.execute(t.db);
    const b = new CommitBuilder();
    const seqs = await l.append([...jobLife(b, 'forbidden'), ...jobLife(b, 'fine')]);
    const projector = new Projector({ db: t.db, eventLog: l.log, retryDelayMs: 10, onError: quiet, onQuarantined: quiet });
    await projector.start();
    try {
      await projector.waitFor(seqs.at(-1)!, 20_000);
      // Only the JobCreated is refused; the job's later commits find no row to update.
      const [letter] = await listDeadLetters(t.db);
      expect(letter).toMatchObject({ seq: seqs[0], code: '23514' });
      expect(await getJob(t.db, 'forbidden')).toBeUndefined();

      // A rebuild (no such constraint there) applies it: verify names the commit and the missing rows.
      const before = await verifyProjections(t.db, t.schema, l.log);
      expect(before.equal).toBe(false);
      expect(before.quarantined).toEqual([seqs[0]]);
      expect(before.differences).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ table: 'jobs', key: { id: 'forbidden' }, live: null }),
          { table: 'dead_letters', key: { stream_seq: seqs[0] }, live: { state: 'quarantined', code: '23514' }, rebuilt: null },
        ]),
      );

      // Retrying before the fix fails the same way and changes nothing.
      const id = Number(letter.id.slice(3));
      expect(await retryProjectionDeadLetter(t.db, l.log, id)).toMatchObject({ outcome: 'still-failing', failure: { code: '23514' } });
      expect(await listDeadLetters(t.db)).toMatchObject([{ seq: seqs[0], attempts: 4, state: 'quarantined' }]);

      await sql`alter table ${sql.id(t.schema, 'jobs')} drop constraint no_forbidden`.execute(t.db);
      expect(await retryProjectionDeadLetter(t.db, l.log, id)).toEqual({ outcome: 'applied', commits: 7 });
      expect(await getJob(t.db, 'forbidden')).toMatchObject({ state: 'completed', lastSeq: seqs[6] });
      expect(await listJobEvents(t.db, 'forbidden')).toHaveLength(9);
      expect(await listDeadLetters(t.db)).toEqual([]);
      expect(await listDeadLetters(t.db, { state: 'all' })).toMatchObject([{ state: 'retried', retryable: false }]);
      expect(await verifyProjections(t.db, t.schema, l.log)).toEqual({ equal: true, differences: [], seq: seqs.at(-1), quarantined: [] });

      // The projector goes on as before.
      const more = await l.append(jobLife(b, 'later'));
      await projector.waitFor(more.at(-1)!, 20_000);
      expect(await getJob(t.db, 'later')).toMatchObject({ state: 'completed' });
    } finally {
      await projector.stop();
    }
  });
});
