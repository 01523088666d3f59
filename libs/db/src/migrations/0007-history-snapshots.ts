import type { Kysely } from 'kysely';

/**
 * Snapshots of the history fold (issue 17), so a past moment of the whole cluster folds from the
 * newest snapshot at or before it instead of from the first commit. `history_snapshots` lists the
 * cuts; `history_states` holds, per cut, every aggregate (job or node) that changed since the cut
 * before — the state at a cut is each aggregate's latest row at or below it. Not a projection: the
 * API writes them as it folds (derived from the event index, dropped when that may change), and a
 * rebuild neither compares nor needs them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('history_snapshots')
    .addColumn('seq', 'bigint', (c) => c.primaryKey())
    // The fold's last event time at the cut (null: no event yet).
    .addColumn('time', 'text')
    .execute();
  await db.schema
    .createTable('history_states')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('snapshot_seq', 'bigint', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('history_states_pk', ['kind', 'id', 'snapshot_seq'])
    .execute();
  await db.schema.createIndex('history_states_seq_idx').on('history_states').column('snapshot_seq').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('history_states').ifExists().execute();
  await db.schema.dropTable('history_snapshots').ifExists().execute();
}
