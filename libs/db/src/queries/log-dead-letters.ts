import type { DeadLetter } from '@trainyard/quarantine';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../database';
import { insertDeadLetter } from './dead-letter-queries';
import { storeLogWrite } from './log-store-queries';
import { withLogTables } from './log-store-tables';
import { LogWriteBuilder, MalformedLogBatch } from './log-write-builder';

/**
 * Keeps a TY_LOGS message the log router cannot store as a dead letter (with its bytes: the stream
 * ages out) and moves checkpoint `name` past it, in ONE transaction — like a stored write, so the
 * router resumes after it and nothing before it is skipped.
 *
 * ```sql
 * insert into "dead_letters" (…) values (…) on conflict ("consumer", "stream", "stream_seq") do update set …
 * insert into "log_checkpoint" ("name", "seq") values ($1, $2) on conflict ("name") do update set "seq" = greatest("log_checkpoint"."seq", excluded."seq")
 * ```
 */
export async function quarantineLogMessage(db: Kysely<Database>, name: string, letter: DeadLetter): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await insertDeadLetter(trx, letter);
    await withLogTables(trx)
      .insertInto('log_checkpoint')
      .values({ name, seq: letter.seq })
      .onConflict((oc) => oc.column('name').doUpdateSet({ seq: sql`greatest(log_checkpoint.seq, excluded.seq)` }))
      .execute();
  });
}

/**
 * Stores a quarantined TY_LOGS message again from its kept bytes (after a fix). Chunks are inserted
 * idempotently and the checkpoint only moves forward, so storing an old message late is safe.
 * Returns how many lines it stored; throws what the store threw.
 */
export async function restoreLogMessage(db: Kysely<Database>, name: string, seq: number, payload: Uint8Array): Promise<number> {
  const builder = new LogWriteBuilder(name);
  builder.add(seq, payload);
  if (builder.malformed.length) throw new MalformedLogBatch(seq);
  await storeLogWrite(db, builder.build());
  return builder.lines;
}
