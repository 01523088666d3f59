import { type Kysely, sql } from 'kysely';

/**
 * Dead letters (issue 9): messages a consumer with this database (the projector, the log router) gave
 * up on, kept with their error and bytes, written in the same transaction that moves the consumer's
 * checkpoint past them. Not a projection: the times are the consumer's clock, and a rebuild keeps
 * its own (see `verifyProjections`).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('dead_letters')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    // projection:read-models, log-router, …
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('stream_seq', 'bigint', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    // SQLSTATE, Node system code or error class name.
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('first_failed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('quarantined_at', 'timestamptz', (c) => c.notNull())
    .addColumn('payload', 'bytea')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('quarantined').check(sql`state in ('quarantined', 'retried', 'dismissed')`))
    .addColumn('resolved_at', 'timestamptz')
    // Who dismissed it and why, or what the retry applied.
    .addColumn('resolution', 'text')
    .addUniqueConstraint('dead_letters_message_uq', ['consumer', 'stream', 'stream_seq'])
    .execute();
  // /healthz counts the open ones and shows the latest.
  await db.schema
    .createIndex('dead_letters_open_idx')
    .on('dead_letters')
    .columns(['quarantined_at desc', 'id desc'])
    .where(sql.ref('state'), '=', 'quarantined')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dead_letters').ifExists().execute();
}
