import type { Kysely } from 'kysely';

/**
 * Fault-recovery columns (issue 5): a node's availability (suspect, isolated, draining; null while in
 * service) and why, and a job's re-dispatch count against `fault-tolerance/job-retry-num`. Nullable,
 * so existing rows need no backfill (a rebuild fills them from the log).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('nodes').addColumn('availability', 'text').addColumn('isolation', 'jsonb').execute();
  await db.schema.alterTable('jobs').addColumn('restarts', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('restarts').execute();
  await db.schema.alterTable('nodes').dropColumn('availability').dropColumn('isolation').execute();
}
