import { ErrorCode, FieldCode, TrainyardError } from '@trainyard/contracts';
import type { RetryOutcome } from '@trainyard/db';
import type { DeadLetterRecord, DeadLetterState, JetStreamDeadLetters, QuarantineSummary } from '@trainyard/quarantine';
import type { ReadModel } from '../read-model';

/** Injection token of {@link Quarantines}. */
export const QUARANTINES = Symbol('Quarantines');

/** What a retry did: applied, or the failure it met again (the letter stays quarantined). */
export interface RetryResult {
  id: string;
  outcome: RetryOutcome['outcome'];
  code?: string;
  message?: string;
}

/**
 * Every dead letter an operator can see, wherever it is kept: `dead_letters` in the read-model
 * database (projector, log router) and the `TY_DEAD_LETTERS` stream (consumers without a database).
 * Ids say which: `db:<n>` or `js:<seq>`.
 */
export class Quarantines {
  constructor(
    private readonly reads: ReadModel,
    private readonly stream: Pick<JetStreamDeadLetters, 'list' | 'summary' | 'dismiss'>,
  ) {}

  /** Open letters of both stores: the count, and the newest. */
  async summary(): Promise<QuarantineSummary> {
    const [db, js] = await Promise.all([this.reads.health().then((h) => h.quarantine), this.stream.summary()]);
    return { count: db.count + js.count, latest: newest([db.latest, js.latest]) };
  }

  /** Newest first; `state` `all` includes retried and dismissed letters (the stream keeps only open ones). */
  async list(q: { state: DeadLetterState | 'all'; limit: number }): Promise<DeadLetterRecord[]> {
    const [db, js] = await Promise.all([this.reads.listDeadLetters(q), q.state === 'quarantined' || q.state === 'all' ? this.stream.list(q.limit) : []]);
    return [...db, ...js].sort(byNewest).slice(0, q.limit);
  }

  async retry(id: string): Promise<RetryResult> {
    const { store, n } = parseId(id);
    if (store === 'js') {
      throw new TrainyardError(
        ErrorCode.IllegalState,
        `${id} is kept by a consumer without a database: it cannot be applied from here; fix the cause and dismiss it, or re-send the work`,
      );
    }
    const outcome = await this.reads.retryDeadLetter(n);
    if (!outcome) throw notFound(id);
    return outcome.outcome === 'applied' ? { id, outcome: 'applied' } : { id, outcome: outcome.outcome, code: outcome.failure.code, message: outcome.failure.message };
  }

  async dismiss(id: string, reason: string): Promise<{ id: string; state: 'dismissed' }> {
    const { store, n } = parseId(id);
    const found = store === 'db' ? await this.reads.dismissDeadLetter(n, reason) : await this.stream.dismiss(n);
    if (!found) throw notFound(id);
    return { id, state: 'dismissed' };
  }
}

function parseId(id: string): { store: 'db' | 'js'; n: number } {
  const m = /^(db|js):([1-9]\d{0,15})$/.exec(id);
  if (!m) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid dead letter id', [{ path: 'id', code: FieldCode.InvalidFormat, message: 'id must be db:<n> or js:<n>' }]);
  return { store: m[1] as 'db' | 'js', n: Number(m[2]) };
}

const notFound = (id: string) => new TrainyardError(ErrorCode.NotFound, `no dead letter ${id}`);

const byNewest = (a: DeadLetterRecord, b: DeadLetterRecord) => b.quarantinedAt.localeCompare(a.quarantinedAt);

function newest(records: Array<DeadLetterRecord | null>): DeadLetterRecord | null {
  return records.filter((r): r is DeadLetterRecord => r !== null).sort(byNewest)[0] ?? null;
}
