import type { StoredCommit } from '@trainyard/contracts';
import { Streams } from '@trainyard/contracts';
import { deadLetter, type DeadLetter, type DeadLetterSink, type MessageRef } from './dead-letter';
import { countDeadLetter } from './dead-letter-metrics';
import { classifyFailure, type Failure } from './failure';
import { nextStep, retryPolicy, type RetryPolicy } from './retry-policy';

export interface QuarantineOptions {
  /** Who consumes: named in the dead letter and the metric (`node-agent.node-1`). */
  consumer: string;
  sink: DeadLetterSink;
  policy?: Partial<RetryPolicy>;
  /** After a letter is stored (logs). */
  onQuarantined?: (letter: DeadLetter) => void;
  now?: () => Date;
}

/** What a consumer does with the message whose handler failed. */
export type Verdict =
  /** Redeliver it after `delayMs` (`nak(delayMs)`). */
  | { action: 'retry'; delayMs: number; failure: Failure }
  /** It is a dead letter now: acknowledge or `term` it and go on. */
  | { action: 'quarantined'; letter: DeadLetter; failure: Failure };

// First failure times of messages still being retried; a bound keeps a consumer that never
// succeeds again from growing it forever.
const MAX_TRACKED = 1_000;

/**
 * The retry-or-quarantine decision for a consumer that handles one message at a time and learns the
 * delivery count from the server: a JetStream durable consumer (a node agent's node subject) or a Nest
 * transport. Transient failures are retried forever; deterministic ones `maxAttempts` deliveries,
 * then the message is stored as a dead letter, counted (`trainyard_dead_letters_total`) and the
 * consumer moves on.
 *
 * @example
 * ```ts
 * const quarantine = new Quarantine({ consumer: `node-agent.${nodeId}`, sink: new JetStreamDeadLetters(nc) });
 * // inside a JetStream message handler:
 * try { await handle(m); m.ack(); }
 * catch (err) {
 *   const v = await quarantine.failed({ stream: 'TY_EVENTS', seq: m.seq, subject: m.subject }, err, m.info.deliveryCount, m.data);
 *   if (v.action === 'retry') m.nak(v.delayMs); else m.term(v.letter.message);
 * }
 * ```
 */
export class Quarantine {
  readonly consumer: string;
  readonly policy: RetryPolicy;
  readonly #sink: DeadLetterSink;
  readonly #onQuarantined?: (letter: DeadLetter) => void;
  readonly #now: () => Date;
  readonly #firstFailure = new Map<string, Date>();

  constructor(opts: QuarantineOptions) {
    this.consumer = opts.consumer;
    this.policy = retryPolicy(opts.policy);
    this.#sink = opts.sink;
    this.#onQuarantined = opts.onQuarantined;
    this.#now = opts.now ?? (() => new Date());
  }

  /**
   * Handling `ref` failed with `err` on its `attempts`-th delivery (1 = first). Returns `retry`, or
   * stores the dead letter (with `payload` when given) and returns `quarantined`. A letter that cannot
   * be stored (the sink is unreachable) turns into a retry: the message is kept, never dropped.
   */
  async failed(ref: MessageRef, err: unknown, attempts: number, payload?: Uint8Array): Promise<Verdict> {
    const failure = classifyFailure(err);
    const key = `${ref.stream}:${ref.seq}`;
    const first = this.#firstFailure.get(key) ?? this.#now();
    const step = nextStep(failure, Math.max(1, attempts), this.policy);
    if (step.action === 'retry') {
      this.#remember(key, first);
      return { action: 'retry', delayMs: step.delayMs, failure };
    }
    const letter = deadLetter(this.consumer, ref, failure, { count: Math.max(1, attempts), firstFailedAt: first, at: this.#now() }, payload);
    try {
      await this.#sink.record(letter);
    } catch {
      this.#remember(key, first);
      return { action: 'retry', delayMs: this.policy.maxDelayMs, failure };
    }
    this.#firstFailure.delete(key);
    countDeadLetter(letter);
    this.#onQuarantined?.(letter);
    return { action: 'quarantined', letter, failure };
  }

  /**
   * Keeps a message that does not decode (`MalformedCommit`: `poison`, its bytes in `payload`) as a
   * dead letter at once. Throws when the letter cannot be stored, so the consumer redelivers it
   * rather than lose it (`consume`'s `onMalformed` naks on a throw).
   */
  async malformed(err: Error & { seq: number; subject: string; payload?: Uint8Array }, stream: string = Streams.events): Promise<DeadLetter> {
    const verdict = await this.failed({ stream, seq: err.seq, subject: err.subject }, err, 1, err.payload);
    if (verdict.action === 'retry') throw new Error(`dead letter for ${stream}:${err.seq} not stored yet`, { cause: err });
    return verdict.letter;
  }

  /** Forget a message that was handled after all (call after a success that followed failures). */
  succeeded(ref: Pick<MessageRef, 'stream' | 'seq'>): void {
    this.#firstFailure.delete(`${ref.stream}:${ref.seq}`);
  }

  #remember(key: string, first: Date): void {
    this.#firstFailure.delete(key);
    this.#firstFailure.set(key, first);
    if (this.#firstFailure.size > MAX_TRACKED) this.#firstFailure.delete(this.#firstFailure.keys().next().value!);
  }
}

/** The handler shape of `EventLog.consume` (libs/event-log), restated so this lib needs only contracts. */
export type CommitHandler = (commit: StoredCommit, ctx: { readonly deliveryCount: number }) => Promise<void> | void;

/**
 * Wraps a durable consumer's handler so a commit it cannot handle is quarantined instead of
 * redelivered forever: a retry rethrows (with `retryAfterMs`, which `consume` uses as its nak delay),
 * a quarantined commit returns normally (and is acknowledged). TY_EVENTS never deletes, so the letter
 * refers to the commit by stream and sequence.
 *
 * @example
 * ```ts
 * eventLog.consume(durable, Subjects.node(nodeId), withQuarantine(handleNodeCommit, quarantine), {
 *   onMalformed: (err) => quarantine.malformed(err), // bytes that do not decode
 * });
 * ```
 */
export function withQuarantine(handler: CommitHandler, quarantine: Quarantine, stream: string = Streams.events): CommitHandler {
  return async (commit, ctx) => {
    try {
      await handler(commit, ctx);
      if (ctx.deliveryCount > 1) quarantine.succeeded({ stream, seq: commit.seq });
    } catch (err) {
      const verdict = await quarantine.failed({ stream, seq: commit.seq, subject: commit.subject }, err, ctx.deliveryCount);
      if (verdict.action === 'retry') throw Object.assign(asError(err), { retryAfterMs: verdict.delayMs });
    }
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
