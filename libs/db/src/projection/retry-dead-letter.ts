import { type StoredCommit, Subjects } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';
import { classifyFailure, isTransient, retryPolicy, storableText, type Failure } from '@trainyard/quarantine';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { getDeadLetter, noteFailedRetry, resolveDeadLetter, skippedMessages } from '../queries/dead-letter-queries';
import { lockCheckpoint } from './checkpoint';
import { commitChanges } from './commit-changes';
import { type QueuedCommit, undecodable, undecodableOf } from './queued-commit';
import { writeChanges } from './write-changes';

export type RetryOutcome = { outcome: 'applied'; commits: number } | { outcome: 'still-failing'; failure: Failure };

const PROJECTION_PREFIX = 'projection:';

/**
 * Applies a quarantined (or dismissed) commit again, after a fix — a new build that knows its event
 * version, a constraint relaxed. Applying one old commit on top of later ones would not give what
 * a replay gives, so the commit's whole aggregate is projected again instead: in ONE transaction,
 * with the projection's checkpoint locked (the live projector waits), its rows (job, tasks and
 * events, or node) are deleted and rebuilt from every commit of its subject up to the checkpoint,
 * skipping the aggregate's other dead letters. Either that succeeds and the letter is `retried`, or
 * nothing changes and the letter records the new failure. A transient failure is thrown.
 *
 * @example
 * ```ts
 * await retryProjectionDeadLetter(handle.db, eventLog, 7); // { outcome: 'applied', commits: 12 }
 * ```
 */
export async function retryProjectionDeadLetter(db: Kysely<Database>, eventLog: EventLog, id: number): Promise<RetryOutcome> {
  const letter = await getDeadLetter(db, id);
  if (!letter) throw new RangeError(`no dead letter ${id}`);
  if (!letter.consumer.startsWith(PROJECTION_PREFIX)) throw new RangeError(`dead letter ${id} is not the projection's (${letter.consumer})`);
  const name = letter.consumer.slice(PROJECTION_PREFIX.length);
  const skip = new Set((await skippedMessages(db, letter.consumer)).map((m) => m.seq).filter((seq) => seq !== letter.seq));
  try {
    const commits = await db.transaction().execute(async (trx) => {
      const checkpoint = await lockCheckpoint(trx, name);
      // Read under the lock: nothing of this subject up to the checkpoint can be applied meanwhile.
      const history: QueuedCommit[] = [];
      await eventLog.replay((c) => void history.push(c), { filter: letter.subject, onMalformed: (m) => void history.push(undecodableOf(m)) });
      const mine = history.filter((c) => c.seq <= checkpoint && !skip.has(c.seq));
      const bad = mine.find(undecodable);
      if (bad) throw bad.malformed;
      await deleteAggregateRows(trx, letter.subject);
      await writeChanges(trx, (mine as StoredCommit[]).flatMap(commitChanges));
      await resolveDeadLetter(trx, id, 'retried', `re-projected ${storableText(letter.subject)} from ${mine.length} commit(s)`);
      return mine.length;
    });
    return { outcome: 'applied', commits };
  } catch (err) {
    const failure = classifyFailure(err);
    if (isTransient(failure, retryPolicy({ unknownIs: 'transient' }))) throw err;
    await noteFailedRetry(db, id, failure);
    return { outcome: 'still-failing', failure };
  }
}

/** Every row the projection derives from one aggregate's subject. */
async function deleteAggregateRows(trx: Kysely<Database>, subject: string): Promise<void> {
  const aggregate = Subjects.parseAggregate(subject);
  await trx.deleteFrom('events').where('subject', '=', subject).execute();
  if (aggregate?.kind === 'job') {
    await trx.deleteFrom('job_events').where('job_id', '=', aggregate.id).execute();
    // Its tasks go with it (on delete cascade).
    await trx.deleteFrom('jobs').where('id', '=', aggregate.id).execute();
  } else if (aggregate?.kind === 'node') {
    await trx.deleteFrom('nodes').where('id', '=', aggregate.id).execute();
  }
}
