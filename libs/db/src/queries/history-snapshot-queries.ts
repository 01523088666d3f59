import type { HistorySnapshotState } from '@trainyard/contracts';
import type { ColumnType, Kysely } from 'kysely';
import type { Database } from '../database';
import { withDeadLetters } from './dead-letter-queries';

export interface HistorySnapshotsTable {
  seq: ColumnType<number, number, never>;
  time: string | null;
}

export interface HistoryStatesTable {
  kind: 'job' | 'node';
  id: string;
  snapshot_seq: number;
  body: ColumnType<unknown, string, never>;
}

type SnapshotTables = { history_snapshots: HistorySnapshotsTable; history_states: HistoryStatesTable };
const withSnapshots = (db: Kysely<Database>) => db.withTables<SnapshotTables>();

/** The newest snapshot at or before `upTo` (undefined: none). */
export async function snapshotAtOrBefore(db: Kysely<Database>, upTo: number): Promise<{ seq: number; time: string | null } | undefined> {
  const row = await withSnapshots(db).selectFrom('history_snapshots').select(['seq', 'time']).where('seq', '<=', upTo).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  return row ? { seq: Number(row.seq), time: row.time } : undefined;
}

/**
 * Every aggregate's state at snapshot `seq`: its latest row at or below it.
 *
 * ```sql
 * select distinct on (kind, id) kind, id, body from history_states where snapshot_seq <= $1
 * order by kind, id, snapshot_seq desc
 * ```
 */
export async function snapshotStates(db: Kysely<Database>, seq: number): Promise<HistorySnapshotState[]> {
  const rows = await withSnapshots(db)
    .selectFrom('history_states')
    .distinctOn(['kind', 'id'])
    .select(['kind', 'id', 'body'])
    .where('snapshot_seq', '<=', seq)
    .orderBy('kind')
    .orderBy('id')
    .orderBy('snapshot_seq', 'desc')
    .execute();
  return rows.map((r) => ({ kind: r.kind, id: r.id, body: r.body }));
}

/**
 * Writes a snapshot at `seq` — the aggregates changed since the snapshot before — in one
 * transaction, the cut's row last, so a snapshot is whole or absent. A second writer of the same
 * cut (two API replicas folding at once) changes nothing.
 */
export async function writeSnapshot(db: Kysely<Database>, seq: number, time: string | null, states: readonly HistorySnapshotState[]): Promise<void> {
  await withSnapshots(db).transaction().execute(async (trx) => {
    for (let i = 0; i < states.length; i += 1_000) {
      const rows = states.slice(i, i + 1_000).map((s) => ({ kind: s.kind, id: s.id, snapshot_seq: seq, body: JSON.stringify(s.body) }));
      await trx.insertInto('history_states').values(rows).onConflict((oc) => oc.doNothing()).execute();
    }
    await trx.insertInto('history_snapshots').values({ seq, time }).onConflict((oc) => oc.doNothing()).execute();
  });
}

/**
 * The highest sequence a snapshot may cover: below the first commit the projection quarantined and
 * has not dealt with (a retry re-projects its index rows, which a snapshot above it would not see).
 */
export async function snapshotBound(db: Kysely<Database>, position: number): Promise<number> {
  const row = await withDeadLetters(db)
    .selectFrom('dead_letters')
    .select((eb) => eb.fn.min('stream_seq').as('seq'))
    .where('state', '=', 'quarantined')
    .where('consumer', 'like', 'projection:%')
    .executeTakeFirst();
  const first = row?.seq === null || row?.seq === undefined ? Number.POSITIVE_INFINITY : Number(row.seq);
  return Math.min(position, first - 1);
}

/** Drops every snapshot from `seq` on (the index at or after it changed). */
export async function dropSnapshotsFrom(db: Kysely<Database>, seq: number): Promise<void> {
  await withSnapshots(db).transaction().execute(async (trx) => {
    await trx.deleteFrom('history_snapshots').where('seq', '>=', seq).execute();
    await trx.deleteFrom('history_states').where('snapshot_seq', '>=', seq).execute();
  });
}
