import { type Kysely, sql } from 'kysely';

/**
 * Task output as chunks (one row per stored batch instead of one per line: the log router keeps up with
 * 100k lines/s without a per-line index), per-attempt totals and end marks, pieces of long lines
 * waiting for their last piece, the router's checkpoint, and resource samples. Existing `log_lines`
 * rows move into one-line chunks.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('log_chunks')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('first_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('first_ts', 'timestamptz', (c) => c.notNull())
    .addColumn('last_ts', 'timestamptz', (c) => c.notNull())
    .addColumn('line_count', 'integer', (c) => c.notNull())
    // Per line, milliseconds after first_ts.
    .addColumn('ts_offsets', sql`integer[]`, (c) => c.notNull())
    // 0-based positions of stderr lines; the rest are stdout.
    .addColumn('stderr_idx', sql`integer[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    // Position → base64 of the exact bytes, for lines that are not UTF-8 text.
    .addColumn('raw', 'jsonb')
    // The lines joined by \n (lossy UTF-8 text for raw lines).
    .addColumn('body', 'text', (c) => c.notNull())
    // Size of these lines in a downloaded file: exact bytes plus one \n each.
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_chunks_pk', ['job_id', 'task', 'attempt', 'last_seq'])
    .execute();
  // Retention deletes by age.
  await db.schema.createIndex('log_chunks_last_ts_idx').on('log_chunks').column('last_ts').execute();

  await db.schema
    .createTable('log_attempts')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('first_ts', 'timestamptz', (c) => c.notNull())
    .addColumn('last_ts', 'timestamptz', (c) => c.notNull())
    // Set once the agent's eof batch is stored: the attempt has no line after it.
    .addColumn('eof_seq', 'bigint')
    .addPrimaryKeyConstraint('log_attempts_pk', ['job_id', 'task', 'attempt'])
    .execute();

  await db.schema
    .createTable('log_line_pieces')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('ts', 'timestamptz', (c) => c.notNull())
    .addColumn('stderr', 'boolean', (c) => c.notNull())
    .addColumn('data', 'bytea', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_line_pieces_pk', ['job_id', 'task', 'attempt', 'seq', 'idx'])
    .execute();

  await db.schema
    .createTable('log_checkpoint')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('metric_samples')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('task', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('ts', 'timestamptz', (c) => c.notNull())
    // Metric id → value, e.g. { "ma_container_cpu_util": 87.5 }.
    .addColumn('values', 'jsonb', (c) => c.notNull())
    .addPrimaryKeyConstraint('metric_samples_pk', ['job_id', 'task', 'attempt', 'ts'])
    .execute();
  await db.schema.createIndex('metric_samples_ts_idx').on('metric_samples').column('ts').execute();

  const cols = ['job_id', 'task', 'attempt'] as const;
  await db
    .insertInto('log_chunks')
    .columns([...cols, 'first_seq', 'last_seq', 'first_ts', 'last_ts', 'line_count', 'ts_offsets', 'stderr_idx', 'body', 'bytes'])
    .expression(
      db.selectFrom('log_lines').select([
        ...cols, 'seq', 'seq', 'ts', 'ts', sql`1`.as('n'), sql`'{0}'::integer[]`.as('o'),
        sql`case when stream = 'stderr' then '{0}'::integer[] else '{}'::integer[] end`.as('e'), 'text', sql`octet_length(text) + 1`.as('b'),
      ]),
    )
    .execute();
  await db
    .insertInto('log_attempts')
    .columns([...cols, 'last_seq', 'bytes', 'first_ts', 'last_ts'])
    .expression(
      db.selectFrom('log_lines')
        .select([...cols, sql`max(seq)`.as('s'), sql`sum(octet_length(text) + 1)`.as('b'), sql`min(ts)`.as('f'), sql`max(ts)`.as('l')])
        .groupBy([...cols]),
    )
    .execute();
  await db.schema.dropTable('log_lines').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
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
  for (const table of ['metric_samples', 'log_checkpoint', 'log_line_pieces', 'log_attempts', 'log_chunks']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
