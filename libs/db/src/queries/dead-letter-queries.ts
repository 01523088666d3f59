import { Streams } from '@trainyard/contracts';
import { MAX_MESSAGE_CHARS, storableText, type DeadLetter, type DeadLetterRecord, type DeadLetterState, type QuarantineSummary } from '@trainyard/quarantine';
import type { ColumnType, Generated, Kysely, Selectable } from 'kysely';
import type { Database, Timestamp } from '../database';
import { iso } from './iso';

/** One message a consumer of this database gave up on (migration 0005). Not a projection. */
export interface DeadLettersTable {
  id: Generated<number>;
  consumer: string;
  stream: string;
  stream_seq: number;
  subject: string;
  code: string;
  message: string;
  attempts: number;
  first_failed_at: Timestamp;
  quarantined_at: Timestamp;
  payload: Uint8Array | null;
  state: ColumnType<DeadLetterState, DeadLetterState | undefined, DeadLetterState>;
  resolved_at: Timestamp | null;
  resolution: string | null;
}

// A type alias (not an interface) so it satisfies `withTables`' index-signature constraint.
export type DeadLetterTables = { dead_letters: DeadLettersTable };
export type DeadLetterDatabase = Database & DeadLetterTables;

/** The same handle, typed with `dead_letters` too. */
export const withDeadLetters = (db: Kysely<Database>): Kysely<DeadLetterDatabase> => db.withTables<DeadLetterTables>() as unknown as Kysely<DeadLetterDatabase>;

/** The consumer name of projection `name` (its checkpoint name) in dead letters. */
export const projectionConsumer = (name: string) => `projection:${name}`;

/**
 * Stores a dead letter inside the caller's transaction (the one that moves the consumer's checkpoint
 * past it). A message quarantined again after a failed retry replaces its earlier letter.
 *
 * ```sql
 * insert into "dead_letters" ("consumer", "stream", "stream_seq", …) values (…)
 * on conflict ("consumer", "stream", "stream_seq") do update set "code" = excluded."code", …, "state" = 'quarantined'
 * returning "id"
 * ```
 */
export async function insertDeadLetter(trx: Kysely<Database>, letter: DeadLetter): Promise<number> {
  const row = await withDeadLetters(trx)
    .insertInto('dead_letters')
    .values({
      consumer: letter.consumer,
      stream: letter.stream,
      stream_seq: letter.seq,
      subject: letter.subject,
      code: letter.code,
      message: letter.message,
      attempts: letter.attempts,
      first_failed_at: letter.firstFailedAt,
      quarantined_at: letter.quarantinedAt,
      payload: letter.payload ?? null,
    })
    .onConflict((oc) =>
      oc.columns(['consumer', 'stream', 'stream_seq']).doUpdateSet((eb) => ({
        code: eb.ref('excluded.code'),
        message: eb.ref('excluded.message'),
        attempts: eb.ref('excluded.attempts'),
        quarantined_at: eb.ref('excluded.quarantined_at'),
        payload: eb.ref('excluded.payload'),
        state: 'quarantined',
        resolved_at: null,
        resolution: null,
      })),
    )
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface ListDeadLettersQuery {
  /** Default `quarantined` (the open ones); `all` includes retried and dismissed. */
  state?: DeadLetterState | 'all';
  consumer?: string;
  /** Default 100. */
  limit?: number;
}

/**
 * Dead letters, newest first, without their payloads.
 *
 * ```sql
 * select "id", "consumer", …, octet_length("payload") as "payload_bytes" from "dead_letters"
 * where "state" = $1 order by "quarantined_at" desc, "id" desc limit $2
 * ```
 */
export async function listDeadLetters(db: Kysely<Database>, q: ListDeadLettersQuery = {}): Promise<DeadLetterRecord[]> {
  let query = withDeadLetters(db)
    .selectFrom('dead_letters')
    .select(['id', 'consumer', 'stream', 'stream_seq', 'subject', 'code', 'message', 'attempts', 'first_failed_at', 'quarantined_at', 'state', 'resolved_at'])
    .select((eb) => eb.fn.coalesce(eb.fn<number>('octet_length', ['payload']), eb.lit(0)).as('payload_bytes'));
  const state = q.state ?? 'quarantined';
  if (state !== 'all') query = query.where('state', '=', state);
  if (q.consumer) query = query.where('consumer', '=', q.consumer);
  const rows = await query.orderBy('quarantined_at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 100).execute();
  return rows.map(toRecord);
}

/** How many dead letters are open (state `quarantined`) and the latest; what `/healthz` shows. */
export async function deadLetterSummary(db: Kysely<Database>): Promise<QuarantineSummary> {
  const { count } = await withDeadLetters(db)
    .selectFrom('dead_letters')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('state', '=', 'quarantined')
    .executeTakeFirstOrThrow();
  const [latest] = Number(count) ? await listDeadLetters(db, { limit: 1 }) : [];
  return { count: Number(count), latest: latest ?? null };
}

/**
 * Open dead letters per consumer (the `trainyard_dead_letters` gauge).
 *
 * ```sql
 * select "consumer", count(*) as "count" from "dead_letters" where "state" = 'quarantined' group by "consumer"
 * ```
 */
export async function openDeadLettersByConsumer(db: Kysely<Database>): Promise<Array<{ consumer: string; count: number }>> {
  const rows = await withDeadLetters(db)
    .selectFrom('dead_letters')
    .select(['consumer', (eb) => eb.fn.countAll<number>().as('count')])
    .where('state', '=', 'quarantined')
    .groupBy('consumer')
    .orderBy('consumer')
    .execute();
  return rows.map((r) => ({ consumer: r.consumer, count: Number(r.count) }));
}

/** One dead letter with its payload (the bytes of the message, when kept). */
export async function getDeadLetter(db: Kysely<Database>, id: number): Promise<(DeadLetterRecord & { payload: Uint8Array | null }) | undefined> {
  const row = await withDeadLetters(db).selectFrom('dead_letters').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { ...toRecord({ ...row, payload_bytes: row.payload?.byteLength ?? 0 }), payload: row.payload };
}

/** Marks a dead letter retried (applied after all) or dismissed (the loss accepted). */
export async function resolveDeadLetter(db: Kysely<Database>, id: number, state: Exclude<DeadLetterState, 'quarantined'>, resolution: string, at: Date = new Date()): Promise<void> {
  await withDeadLetters(db).updateTable('dead_letters').set({ state, resolution, resolved_at: at }).where('id', '=', id).execute();
}

/** A retry failed the same way (or another): the letter keeps the latest failure and counts the attempt. */
export async function noteFailedRetry(db: Kysely<Database>, id: number, failure: { code: string; message: string }): Promise<void> {
  await withDeadLetters(db)
    .updateTable('dead_letters')
    .set((eb) => ({ code: storableText(failure.code).slice(0, 64), message: storableText(failure.message).slice(0, MAX_MESSAGE_CHARS), attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** `consumer`'s messages that are not applied (quarantined or dismissed), by stream sequence. */
export async function skippedMessages(db: Kysely<Database>, consumer: string): Promise<Array<{ seq: number; state: DeadLetterState; code: string }>> {
  const rows = await withDeadLetters(db)
    .selectFrom('dead_letters')
    .select(['stream_seq', 'state', 'code'])
    .where('consumer', '=', consumer)
    .where('state', '!=', 'retried')
    .orderBy('stream_seq')
    .execute();
  return rows.map((r) => ({ seq: r.stream_seq, state: r.state, code: r.code }));
}

type Row = Omit<Selectable<DeadLettersTable>, 'payload' | 'resolution'> & { payload_bytes: number };

function toRecord(r: Row): DeadLetterRecord {
  return {
    id: `db:${r.id}`,
    consumer: r.consumer,
    stream: r.stream,
    seq: r.stream_seq,
    subject: r.subject,
    code: r.code,
    message: r.message,
    attempts: r.attempts,
    firstFailedAt: iso(r.first_failed_at),
    quarantinedAt: iso(r.quarantined_at),
    state: r.state,
    resolvedAt: iso(r.resolved_at),
    payloadBytes: Number(r.payload_bytes),
    // The projection re-projects the commit's aggregate; the log router stores the kept batch again.
    retryable: r.state !== 'retried' && (r.consumer.startsWith('projection:') || r.stream === Streams.logs),
  };
}
