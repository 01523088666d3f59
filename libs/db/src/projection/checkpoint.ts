import type { Kysely } from 'kysely';
import type { Database } from '../database';

/** The checkpoint name the read-model projector uses unless told otherwise. */
export const DEFAULT_PROJECTION = 'read-models';

/**
 * The last stream sequence applied by projection `name`, 0 when it has applied nothing.
 *
 * ```sql
 * select "seq" from "trainyard"."projection_checkpoint" where "name" = $1
 * ```
 */
export async function readCheckpoint(db: Kysely<Database>, name = DEFAULT_PROJECTION): Promise<number> {
  const row = await db.selectFrom('projection_checkpoint').select('seq').where('name', '=', name).executeTakeFirst();
  return row?.seq ?? 0;
}

/**
 * Reads the checkpoint and locks its row until the transaction ends, creating it at 0 if missing.
 * The no-op `do update` is what takes the row lock and returns the stored value in one round trip;
 * a second projector on the same tables waits here and then sees what the first one applied.
 *
 * ```sql
 * insert into "trainyard"."projection_checkpoint" ("name", "seq") values ($1, $2)
 * on conflict ("name") do update set "seq" = "trainyard"."projection_checkpoint"."seq" returning "seq"
 * ```
 */
export async function lockCheckpoint(trx: Kysely<Database>, name: string): Promise<number> {
  const row = await trx
    .insertInto('projection_checkpoint')
    .values({ name, seq: 0 })
    .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ seq: eb.ref('projection_checkpoint.seq') })))
    .returning('seq')
    .executeTakeFirstOrThrow();
  return row.seq;
}

/** Moves the checkpoint; call inside the transaction that applied the commits up to `seq`. */
export async function advanceCheckpoint(trx: Kysely<Database>, name: string, seq: number): Promise<void> {
  await trx.updateTable('projection_checkpoint').set({ seq }).where('name', '=', name).execute();
}
