import { Streams } from '@trainyard/contracts';
import { type Attempts, deadLetter, type DeadLetter, type Failure } from '@trainyard/quarantine';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { insertDeadLetter, projectionConsumer } from '../queries/dead-letter-queries';
import { advanceCheckpoint, lockCheckpoint } from './checkpoint';
import { type QueuedCommit, undecodable } from './queued-commit';

/**
 * Keeps a commit the projection cannot apply as a dead letter and moves checkpoint `name` past it,
 * in ONE transaction: the commit is either applied or quarantined, never lost and never both. A
 * commit at or below the checkpoint (a second projector got there first) changes nothing. Returns
 * the checkpoint after the transaction.
 *
 * ```sql
 * insert into "projection_checkpoint" … on conflict ("name") do update set "seq" = "projection_checkpoint"."seq" returning "seq"
 * insert into "dead_letters" (…) values (…) on conflict ("consumer", "stream", "stream_seq") do update set …
 * update "projection_checkpoint" set "seq" = $1 where "name" = $2
 * ```
 */
export async function quarantineCommit(db: Kysely<Database>, name: string, letter: DeadLetter): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const current = await lockCheckpoint(trx, name);
    if (letter.seq <= current) return current;
    await insertDeadLetter(trx, letter);
    await advanceCheckpoint(trx, name, letter.seq);
    return letter.seq;
  });
}

/**
 * The dead letter of projection `name` for a commit (or the place of one that did not decode, whose
 * bytes it keeps: TY_EVENTS holds them too, but they are what an operator needs to look at).
 */
export function commitDeadLetter(name: string, item: QueuedCommit, failure: Failure, attempts: Attempts, stream: string = Streams.events): DeadLetter {
  const payload = undecodable(item) ? item.malformed.payload : undefined;
  return deadLetter(projectionConsumer(name), { stream, seq: item.seq, subject: item.subject }, failure, attempts, payload);
}
