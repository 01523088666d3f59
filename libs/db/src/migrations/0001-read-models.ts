import { type Kysely, sql } from 'kysely';

/**
 * The read models and the log-line store. `db` is bound to the target schema by `migrate`, so table
 * names here are unqualified. Sequences are `bigint` (JetStream sequences are u64).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('node_count', 'integer', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dispatched', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();
  // listJobs pages newest first, optionally by state.
  await db.schema.createIndex('jobs_created_idx').on('jobs').columns(['created_at desc', 'id desc']).execute();
  await db.schema.createIndex('jobs_state_created_idx').on('jobs').columns(['state', 'created_at desc', 'id desc']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('index', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('exit_code', 'integer')
    .addColumn('signal', 'text')
    .addColumn('proc_start_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addPrimaryKeyConstraint('tasks_pk', ['job_id', 'name'])
    .execute();
  // listNodes sums the flavors of the tasks occupying each node.
  await db.schema
    .createIndex('tasks_occupying_idx')
    .on('tasks')
    .column('node_id')
    .where(sql.ref('state'), 'in', ['assigned', 'running'])
    .execute();

  await db.schema
    .createTable('nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('pool', 'text', (c) => c.notNull())
    .addColumn('capacity', 'jsonb', (c) => c.notNull())
    .addColumn('labels', 'jsonb', (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('job_events')
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('time', 'timestamptz', (c) => c.notNull())
    .addColumn('task', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('message_zh', 'text', (c) => c.notNull())
    .addColumn('data', 'jsonb', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_events_pk', ['seq', 'idx'])
    .execute();
  await db.schema.createIndex('job_events_job_idx').on('job_events').columns(['job_id', 'seq', 'idx']).execute();

  await db.schema
    .createTable('projection_checkpoint')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('log_lines')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('ts', 'timestamptz', (c) => c.notNull())
    .addColumn('stream', 'text', (c) => c.notNull().check(sql`stream in ('stdout', 'stderr')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_lines_pk', ['job_id', 'task', 'attempt', 'seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['log_lines', 'projection_checkpoint', 'job_events', 'nodes', 'tasks', 'jobs']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
