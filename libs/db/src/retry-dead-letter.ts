import { Streams } from '@trainyard/contracts';
import type { EventLog } from '@trainyard/event-log';
import { classifyFailure, isTransient, retryPolicy } from '@trainyard/quarantine';
import type { Kysely } from 'kysely';
import type { Database } from './database';
import { retryProjectionDeadLetter, type RetryOutcome } from './projection/retry-dead-letter';
import { getDeadLetter, noteFailedRetry, resolveDeadLetter } from './queries/dead-letter-queries';
import { restoreLogMessage } from './queries/log-dead-letters';

/** A dead letter this database cannot apply again (not its own, or kept without its bytes). */
export class NotRetryable extends Error {
  override readonly name = 'NotRetryable';
  constructor(readonly id: number, reason: string) {
    super(`dead letter ${id} cannot be retried here: ${reason}`);
  }
}

/**
 * Applies dead letter `id` again, after the cause was fixed: a projection's commit by projecting its
 * aggregate again (`retryProjectionDeadLetter`), a log router's batch by storing its kept bytes. On
 * success the letter is `retried`; a deterministic failure is recorded on it and returned; a
 * transient one is thrown (try later). `undefined` when there is no such letter.
 *
 * @example
 * ```ts
 * await retryDeadLetter(handle.db, 7, { eventLog }); // { outcome: 'applied', commits: 12 }
 * ```
 */
export async function retryDeadLetter(db: Kysely<Database>, id: number, ports: { eventLog?: EventLog } = {}): Promise<RetryOutcome | undefined> {
  const letter = await getDeadLetter(db, id);
  if (!letter) return undefined;
  if (letter.consumer.startsWith('projection:')) {
    // The aggregate's history comes from the log.
    if (!ports.eventLog) throw new NotRetryable(id, 'a projection letter needs the event log');
    return retryProjectionDeadLetter(db, ports.eventLog, id);
  }
  if (letter.stream !== Streams.logs) throw new NotRetryable(id, `consumer ${letter.consumer} keeps no store here`);
  if (!letter.payload) throw new NotRetryable(id, 'its bytes were not kept');
  try {
    const lines = await restoreLogMessage(db, letter.consumer, letter.seq, letter.payload);
    await resolveDeadLetter(db, id, 'retried', `stored ${lines} line(s)`);
    return { outcome: 'applied', commits: 1 };
  } catch (err) {
    const failure = classifyFailure(err);
    if (isTransient(failure, retryPolicy({ unknownIs: 'transient' }))) throw err;
    await noteFailedRetry(db, id, failure);
    return { outcome: 'still-failing', failure };
  }
}
