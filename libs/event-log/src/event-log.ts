import type { CommitMeta, DomainEvent, StoredCommit } from '@trainyard/contracts';

/**
 * The port every service uses to reach the event log (decision 1). The JetStream implementation is
 * `JetStreamEventLog`; tests run against the real server.
 */
export interface EventLog {
  /**
   * Appends one commit (1..n events) to one aggregate subject.
   * `expected`: the subject's last stream sequence the caller decided on (0 = the aggregate must not
   * exist yet), or `'any'` to skip the check. A mismatch throws `StreamVersionConflict`.
   * `meta.commandId` becomes `Nats-Msg-Id`: a retried command is stored once (`duplicate: true`).
   */
  append(subject: string, events: DomainEvent[], meta: CommitMeta, expected: number | 'any'): Promise<AppendResult>;

  /** One aggregate's whole history, in order, and the stream sequence of its last commit (0 if none). */
  read(subject: string): Promise<AggregateHistory>;

  /**
   * Delivers every commit matching `filter` (default all of `ty.ev.>`), in stream order, starting at
   * `from` (a sequence, inclusive, or a time), then live until `stop()`. `handler` is awaited before the
   * next commit is delivered. Survives a NATS restart (the subscription resumes after the last delivered
   * sequence).
   */
  subscribe(opts: SubscribeOptions, handler: (commit: StoredCommit) => Promise<void> | void): Subscription;

  /** Delivers every commit up to the current end of the stream, then resolves with the last sequence. */
  replay(handler: (commit: StoredCommit) => Promise<void> | void, opts?: { filter?: string; fromSeq?: number }): Promise<number>;

  /**
   * A durable JetStream consumer named `durable` over `filter` (e.g. one node's subject): each commit
   * is acknowledged only after `handler` resolves; a throw is redelivered after `retryDelayMs`. The
   * consumer's position survives restarts of the process and of NATS. Long handlers are kept alive
   * with `working()` (decision 5, STYLE 9).
   */
  consume(durable: string, filter: string, handler: (commit: StoredCommit) => Promise<void>, opts?: { retryDelayMs?: number }): Subscription;

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
  filter?: string;
  from?: { seq: number } | { time: Date };
}

export interface Subscription {
  stop(): Promise<void>;
  /** Resolves when the subscription has delivered everything that existed when it started. */
  readonly caughtUp: Promise<void>;
}
