import { type Kysely, sql } from 'kysely';

/**
 * Notifications (issue 15). Not projections of the read models: the notifier folds the log into
 * `notification_subscriptions` and `notification_jobs` itself (idempotently, from its durable
 * consumer), and keeps the delivery log — one row per (subscription, event), its idempotency key the
 * primary key, so a commit handled twice makes one delivery — with one row per attempt. Secrets are
 * written by the API at creation, never in an event, and read only by the notifier to sign.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('job', 'project')`))
    .addColumn('job_id', 'text')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('from_seq', 'bigint', (c) => c.notNull())
    .addColumn('until_seq', 'bigint')
    .execute();
  await db.schema
    .createTable('notification_jobs')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('accelerated', 'boolean', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notification_secrets')
    .addColumn('subscription_id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('notification_deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('subscription_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // The exact bytes sent on every attempt (the signature covers them).
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'delivered', 'failed', 'cancelled')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz')
    // A sender holds the delivery until then; a crashed sender's claim runs out and another sends again.
    .addColumn('claimed_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('notification_deliveries_due_idx').on('notification_deliveries').columns(['next_attempt_at']).where(sql.ref('status'), '=', 'pending').execute();
  await db.schema.createIndex('notification_deliveries_sub_idx').on('notification_deliveries').columns(['subscription_id', 'seq']).execute();
  await db.schema
    .createTable('notification_attempts')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('delivered', 'retry', 'failed', 'cancelled')`))
    .addColumn('error', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('notification_attempts_pk', ['key', 'attempt'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['notification_attempts', 'notification_deliveries', 'notification_secrets', 'notification_jobs', 'notification_subscriptions']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
