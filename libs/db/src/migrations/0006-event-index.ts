import { type Kysely, sql } from 'kysely';

/**
 * The cluster-wide event index (issue 17): one row per event of every commit on `ty.ev.job.*` and
 * `ty.ev.node.*`, with the columns `GET /v1/events` filters on (time, type, job, nodes, actor) and the
 * event's data verbatim, so a past moment can be folded from it without reading the whole log. A
 * projection like the others: rebuilt from the log, compared by `rebuild --verify`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    // `job` or `node`: the aggregate the commit is about.
    .addColumn('aggregate', 'text', (c) => c.notNull())
    .addColumn('aggregate_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('time', 'timestamptz', (c) => c.notNull())
    // The job the event concerns: the subject's, or the job a node's work order names.
    .addColumn('job_id', 'text')
    // Every node the event names: the node subject's, a task's node, a placement's, an isolation's.
    .addColumn('node_ids', sql`text[]`, (c) => c.notNull())
    .addColumn('task', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('command_id', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('events_pk', ['seq', 'idx'])
    .execute();
  // Each filter of GET /v1/events walks its own index in log order.
  await db.schema.createIndex('events_time_idx').on('events').columns(['time', 'seq']).execute();
  await db.schema.createIndex('events_type_idx').on('events').columns(['type', 'seq', 'idx']).execute();
  await db.schema.createIndex('events_job_idx').on('events').columns(['job_id', 'seq', 'idx']).where(sql.ref('job_id'), 'is not', null).execute();
  await db.schema.createIndex('events_aggregate_idx').on('events').columns(['subject', 'seq', 'idx']).execute();
  await db.schema.createIndex('events_actor_idx').on('events').columns(['actor', 'seq', 'idx']).execute();
  await db.schema.createIndex('events_nodes_idx').on('events').using('gin').column('node_ids').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('events').ifExists().execute();
}
