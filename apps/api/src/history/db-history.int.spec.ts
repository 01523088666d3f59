import type { EventLog } from '@trainyard/event-log';
import { HistoryFold } from '@trainyard/history';
import { BACKENDS, CommitBuilder, ev, jobLife, registerNode, useBackend } from '@trainyard/testing/db';
import { projectCommits } from '@trainyard/db';
import { describe, expect, it } from 'vitest';
import { DbHistory } from './db-history';

describe.each(BACKENDS)('history snapshots on %s', (backend) => {
  const pg = useBackend(backend);

  /** 40 two-task jobs on two nodes, a node isolated and back on the way: 282 commits. */
  const log = () => {
    const b = new CommitBuilder();
    const commits = [registerNode(b, 'n1', 0), registerNode(b, 'n2', 0)];
    for (let i = 0; i < 40; i++) {
      commits.push(...jobLife(b, `j${i}`, i * 3));
      if (i === 15) commits.push(b.node('n2', [ev('NodeIsolated', i * 3 + 1, { reason: 'operator', by: 'user:ops' })]));
    }
    return commits;
  };
  const plain = (fold: HistoryFold) => JSON.parse(JSON.stringify({ position: fold.position, time: fold.time, jobs: [...fold.jobs].sort(), nodes: [...fold.nodes].sort() }));

  it('snapshots - a past moment folded from the newest snapshot before it is the fold from the first commit, at every cut', async () => {
    await using t = await pg.open();
    const commits = log();
    await projectCommits(t.db, commits);
    const last = commits.at(-1)!.seq;
    const handle = { ...t.handle, db: t.db, schema: t.schema };
    const history = new DbHistory(handle, undefined as unknown as EventLog, () => last, { foldPage: 10, snapshotEvery: 50 });
    // The first fold to the end writes a snapshot every 50 commits or so, each holding what changed since the one before.
    expect(plain(await history.clusterAt(last))).toEqual(plain(new HistoryFold().applyAll(commits)));
    const cuts = (await t.db.withTables<{ history_snapshots: { seq: number } }>().selectFrom('history_snapshots').select('seq').orderBy('seq').execute()).map((r) => Number(r.seq));
    expect(cuts.length).toBeGreaterThanOrEqual(4);
    const states = await t.db.withTables<{ history_states: { snapshot_seq: number; kind: string } }>().selectFrom('history_states').select(['snapshot_seq', 'kind']).execute();
    expect(states.length).toBeLessThan(cuts.length * 42);
    // Every later fold starts at a snapshot; at each cut, just after it and between two, it equals the whole fold.
    for (const upTo of [cuts[0], cuts[0] + 1, cuts[1] - 1, cuts[2] + 7, last - 1, last]) {
      expect(plain(await history.clusterAt(upTo)), `at ${upTo}`).toEqual(plain(new HistoryFold().applyAll(commits.filter((c) => c.seq <= upTo))));
    }
    // A fold that starts from a snapshot writes no snapshot it already has.
    expect((await t.db.withTables<{ history_snapshots: { seq: number } }>().selectFrom('history_snapshots').select('seq').execute()).length).toBe(cuts.length);
  });

  it('snapshots - none past a commit the projection quarantined (a retry would re-project its rows)', async () => {
    await using t = await pg.open();
    const commits = log();
    await projectCommits(t.db, commits);
    const last = commits.at(-1)!.seq;
    await t.db.withTables<{ dead_letters: Record<string, unknown> }>().insertInto('dead_letters').values({
      consumer: 'projection:read-models', stream: 'TY_EVENTS', stream_seq: 120, subject: 'ty.ev.job.j9', code: 'X', message: 'x', attempts: 1, first_failed_at: new Date(), quarantined_at: new Date(),
    }).execute();
    const history = new DbHistory({ ...t.handle, db: t.db, schema: t.schema }, undefined as unknown as EventLog, () => last, { foldPage: 10, snapshotEvery: 50 });
    await history.clusterAt(last);
    const cuts = (await t.db.withTables<{ history_snapshots: { seq: number } }>().selectFrom('history_snapshots').select('seq').execute()).map((r) => Number(r.seq));
    expect(cuts.length).toBeGreaterThan(0);
    expect(Math.max(...cuts)).toBeLessThan(120);
  });
});
