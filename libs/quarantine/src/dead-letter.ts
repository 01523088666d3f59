import type { Failure } from './failure';

/** Which message: its stream, stream sequence and subject. */
export interface MessageRef {
  stream: string;
  seq: number;
  subject: string;
}

/**
 * A message a consumer gave up on, kept with its error so nothing is lost silently: an operator can
 * read it, fix the cause and retry it, or dismiss it. The consumer moved on past it.
 *
 * @example
 * ```json
 * { "consumer": "projection:read-models", "stream": "TY_EVENTS", "seq": 42, "subject": "ty.ev.job.j1",
 *   "code": "22P05", "message": "unsupported Unicode escape sequence", "attempts": 3,
 *   "firstFailedAt": "2026-03-01T08:00:00.000Z", "quarantinedAt": "2026-03-01T08:00:00.600Z" }
 * ```
 */
export interface DeadLetter extends MessageRef {
  /** Who gave up: `projection:read-models`, `log-router`, `node-agent.node-1`… */
  consumer: string;
  /** The failure's stable code (SQLSTATE, Node system code, or error class name). */
  code: string;
  message: string;
  /** Failed attempts before it was quarantined. */
  attempts: number;
  firstFailedAt: string;
  quarantinedAt: string;
  /**
   * The message's bytes. Kept for streams that age out (TY_LOGS) or when nothing else holds them;
   * TY_EVENTS never deletes, so `stream` + `seq` is reference enough there.
   */
  payload?: Uint8Array;
}

/**
 * Where dead letters go. Two implementations: PostgreSQL (`dead_letters`, libs/db — written in the
 * consumer's own transaction with its checkpoint) and the `TY_DEAD_LETTERS` JetStream stream
 * ({@link JetStreamDeadLetters}) for consumers without a database (node agents, Nest transports).
 */
export interface DeadLetterSink {
  /** Stores the letter; a repeat for the same consumer and message replaces the first. */
  record(letter: DeadLetter): Promise<void>;
}

/** Longest error message kept (a database error can quote a whole statement). */
export const MAX_MESSAGE_CHARS = 2_000;

/** A dead letter for `ref`, with the failure's code and a message any store can hold. */
export function deadLetter(
  consumer: string,
  ref: MessageRef,
  failure: Failure,
  attempts: { count: number; firstFailedAt: Date; at: Date },
  payload?: Uint8Array,
): DeadLetter {
  return {
    consumer,
    stream: ref.stream,
    seq: ref.seq,
    subject: storableText(ref.subject),
    code: storableText(failure.code).slice(0, 64),
    message: storableText(failure.message).slice(0, MAX_MESSAGE_CHARS),
    attempts: attempts.count,
    firstFailedAt: attempts.firstFailedAt.toISOString(),
    quarantinedAt: attempts.at.toISOString(),
    ...(payload ? { payload } : {}),
  };
}

/**
 * `s` with NUL and unpaired surrogates replaced by U+FFFD. The poison message's own text ends up in
 * error messages; the dead letter must never fail to store for the reason its message did.
 */
export function storableText(s: string): string {
  return (s as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\uFFFD');
}

/** What became of a dead letter. */
export type DeadLetterState = 'quarantined' | 'retried' | 'dismissed';

/**
 * A stored dead letter as an operator lists it (`GET /v1/admin/quarantine`, `yard admin quarantine`),
 * whichever store holds it. The payload itself is not listed, only its size.
 */
export interface DeadLetterRecord extends Omit<DeadLetter, 'payload'> {
  /** `db:<n>` for a row of `dead_letters`, `js:<seq>` for a message of `TY_DEAD_LETTERS`. */
  id: string;
  state: DeadLetterState;
  resolvedAt: string | null;
  /** Bytes of the kept payload (0: the message is referred to by stream and sequence only). */
  payloadBytes: number;
  /** True when `retry` can apply it again (the consumer's store is PostgreSQL). */
  retryable: boolean;
}

/** How many dead letters are unresolved, and the latest of them: what `/healthz` shows. */
export interface QuarantineSummary {
  count: number;
  latest: DeadLetterRecord | null;
}
