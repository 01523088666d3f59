import type { Kysely } from 'kysely';

/**
 * Scheduling columns of the job row (issue 3): why a waiting job waits, whether it waits again after
 * a run (first priority), and which job preempted it. All nullable, so existing rows need no backfill
 * (a rebuild fills them from the log like every other column).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('wait_reason', 'jsonb')
    .addColumn('requeue', 'text')
    .addColumn('preempted_by', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('jobs').dropColumn('wait_reason').dropColumn('requeue').dropColumn('preempted_by').execute();
}
