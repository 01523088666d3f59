import type { CommitMeta, DomainEvent, StoredCommit } from '@trainyard/contracts';
import type { MalformedCommit } from './errors';

/**
 * The port every service uses to reach the event log (decision 1). The JetStream implementation is
 * `JetStreamEventLog`; tests run against the real server.
 *
 * Vocabulary: a *commit* is one message holding 1..n events about one aggregate; the aggregate is a
 * literal subject (`ty.ev.job.<id>`); a commit's *sequence* is its stream sequence, which orders
 * every commit of every aggregate; an aggregate's *version* is the sequence of its last commit
 * (0 = no commit yet).
 *
 * @example
 * ```ts
 * const { lastSeq, commits } = await log.read(Subjects.job(jobId));
 * const state = commits.flatMap((c) => c.events).reduce(evolve, initialState);
 * await log.append(Subjects.job(jobId), decide(state), meta, lastSeq); // may throw StreamVersionConflict
 * ```
 */
export interface EventLog {
  /**
   * Appends one commit (1..n events) to one aggregate subject (literal, no wildcards).
   *
   * `expected`: the subject's last stream sequence the caller decided on (0 = the aggregate must not
   * exist yet), or `'any'` to skip the check. A mismatch throws `StreamVersionConflict`.
   *
   * `meta.commandId` is the idempotency key: a retried command (same `commandId`, same subject,
   * within the stream's 2-minute duplicate window) is stored once and answered with the first
   * commit's `seq` and `duplicate: true`, whatever `expected` says. The key is scoped to the
   * subject, so one command may write one commit to each of several aggregates.
   *
   * Throws `EventLogUnavailable` when NATS does not answer: the commit may or may not be stored, and
   * retrying with the same `commandId` is safe.
   */
  append(subject: string, events: DomainEvent[], meta: CommitMeta, expected: number | 'any'): Promise<AppendResult>;

  /** One aggregate's whole history, in order, and the stream sequence of its last commit (0 if none). */
  read(subject: string): Promise<AggregateHistory>;

  /**
   * Delivers every commit matching `filter` (default all of `ty.ev.>`), in stream order, starting at
   * `from` (a sequence, inclusive, or a time; default the beginning), then live until `stop()`.
   * `handler` is awaited before the next commit is delivered. Survives a NATS restart: the
   * subscription resumes after the last delivered sequence, so no commit is lost or repeated.
   *
   * A handler that throws is retried on the same commit with a capped backoff (the subscription
   * never skips a commit; it stalls visibly), and each failure is reported to `opts.onError`.
   */
  subscribe(opts: SubscribeOptions, handler: (commit: StoredCommit) => Promise<void> | void): Subscription;

  /**
   * Delivers every commit up to the current end of the stream, then resolves with that end (the
   * stream's last sequence when replay started; `subscribe({ from: { seq: end + 1 } })` continues
   * without a gap). A handler that throws rejects the replay; so does a commit that does not decode,
   * unless `onMalformed` takes it.
   */
  replay(handler: (commit: StoredCommit) => Promise<void> | void, opts?: ReplayOptions): Promise<number>;

  /**
   * A durable JetStream consumer named `durable` over `filter` (e.g. one node's subject): each commit
   * is acknowledged only after `handler` resolves; a throw is redelivered after `retryDelayMs` (or
   * the thrown error's `retryAfterMs`: libs/quarantine's `withQuarantine` backs off that way). The
   * consumer's position survives restarts of the process and of NATS. Commits are delivered one at a
   * time, in order, redeliveries included. Long handlers are kept alive automatically (`working()`
   * every third of the ack wait); `ctx.working()` is there for handlers that want to say so
   * themselves (decision 5, STYLE 9).
   */
  consume(
    durable: string,
    filter: string,
    handler: (commit: StoredCommit, ctx: ConsumeContext) => Promise<void> | void,
    opts?: ConsumeOptions,
  ): Subscription;

  /** The stream's last sequence (0 when empty). */
  lastSeq(): Promise<number>;
}

export interface AppendResult {
  seq: number;
  duplicate: boolean;
}

export interface AggregateHistory {
  commits: StoredCommit[];
  /** Stream sequence of the last commit on the subject; 0 when the aggregate does not exist. */
  lastSeq: number;
}

export interface SubscribeOptions {
  /** A subject filter within `ty.ev.>`; default `ty.ev.>`. */
  filter?: string;
  /** Where to start: a stream sequence (inclusive) or the first commit stored at or after a time. */
  from?: { seq: number } | { time: Date };
  /** Told about every handler failure (the commit is retried) and every malformed commit (skipped). */
  onError?: (err: unknown, commit: StoredCommit | { subject: string; seq: number }) => void;
  /**
   * Takes a commit that does not decode (its bytes are `err.payload`), in stream order: awaited before
   * the next commit is delivered, so a consumer can quarantine it where it keeps its checkpoint. When
   * set, such a commit is not reported to `onError`; either way it is skipped afterwards.
   */
  onMalformed?: (err: MalformedCommit) => Promise<void> | void;
}

export interface ReplayOptions {
  filter?: string;
  fromSeq?: number;
  /** Takes a commit that does not decode, in order, instead of rejecting the replay. */
  onMalformed?: (err: MalformedCommit) => Promise<void> | void;
}

export interface ConsumeOptions {
  /** Delay before a commit whose handler threw is delivered again. Default 1 000 ms. */
  retryDelayMs?: number;
  /**
   * How long the server waits for an ack before redelivering: the delay after a process crash (a
   * running handler is kept alive automatically). Default 10 000 ms.
   */
  ackWaitMs?: number;
  /** Told about every handler failure (the commit is nak'ed) and every malformed commit (terminated). */
  onError?: (err: unknown, commit: StoredCommit | { subject: string; seq: number }) => void;
  /**
   * Takes a commit that does not decode before it is terminated (e.g. `Quarantine.failed` to keep it
   * as a dead letter). If it throws, the commit is redelivered instead.
   */
  onMalformed?: (err: MalformedCommit) => Promise<void> | void;
}

/** What a `consume` handler knows about the delivery in hand. */
export interface ConsumeContext {
  /** 1 on first delivery, then +1 per redelivery. */
  readonly deliveryCount: number;
  /** Tells the server the handler is still working, postponing redelivery by one ack wait. */
  working(): void;
}

export interface Subscription {
  /** Stops delivering; resolves once the handler in flight (if any) has returned. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the subscription has delivered everything that existed when it started. */
  readonly caughtUp: Promise<void>;
}
