import { type StoredCommit, Subjects } from '@trainyard/contracts';
import type { EventLog, Subscription } from '@trainyard/event-log';
import {
  applyOrQuarantine, type Attempts, type BatchPorts, countDeadLetter, type DeadLetter, type Failure, retryPolicy, type RetryPolicy,
} from '@trainyard/quarantine';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { projectCommits } from './apply-commit';
import { DEFAULT_PROJECTION, readCheckpoint } from './checkpoint';
import { ProjectionTimeout } from './projection-timeout';
import { commitDeadLetter, quarantineCommit } from './quarantine-commit';
import { type QueuedCommit as Queued, undecodable, undecodableOf } from './queued-commit';

export interface ProjectorOptions {
  /** Bound to the schema of the read models (`createDatabase(...).db`). */
  db: Kysely<Database>;
  eventLog: EventLog;
  /** Checkpoint name. Default `read-models`. */
  name?: string;
  /** Subjects to follow. Default `ty.ev.>`. */
  filter?: string;
  /** Most commits applied in one transaction. Default 500. */
  batchSize?: number;
  /** First pause after a failed transaction; it doubles per retry, up to 5 s. Default 200 ms. */
  retryDelayMs?: number;
  /**
   * Tries a commit that fails deterministically (a data error, a constraint) gets before it is
   * quarantined. Default 3. Commits that cannot be decoded or projected at all are quarantined at once;
   * transient failures (the database away) are retried forever and never quarantine.
   */
  maxAttempts?: number;
  /**
   * Told about every failed transaction and what comes next (a retry, or quarantine). Default
   * `console.error`.
   */
  onError?: (error: unknown, commits: { from: number; to: number }) => void;
  /** Told about every commit quarantined (its dead letter is stored). Default `console.error`. */
  onQuarantined?: (letter: DeadLetter) => void;
}

/** What `/healthz` says about the projection. */
export interface ProjectorHealth {
  /** The last stream sequence applied (or quarantined). */
  position: number;
  /** Set while the projector keeps failing on the same commits (an outage it waits out, or a commit on its way to quarantine). */
  failing: { since: string; from: number; to: number; code: string; message: string; retries: number } | null;
  /** Commits this projector quarantined since it started. */
  quarantined: number;
}

interface Waiter {
  seq: number;
  timeoutMs: number;
  resolve: () => void;
  reject: (error: ProjectionTimeout) => void;
  timer: NodeJS.Timeout;
}

/**
 * Keeps the read models in step with the event log (decision 2). It subscribes from the stored
 * checkpoint + 1 and applies commits in batches, each batch and its checkpoint in one transaction
 * (`projectCommits`), so a crash at any point neither repeats nor skips a commit: the next start
 * resumes after the last committed batch.
 *
 * No commit can stall it (issue 9). A transaction that fails for a transient reason (the database
 * away) is retried until it succeeds. One that fails deterministically is retried one commit at a
 * time, so the good commits around the bad one still get in; the bad one — after `maxAttempts`, or
 * at once when it cannot be decoded or projected at all — is quarantined: kept as a dead letter with
 * its error (`dead_letters`, written with the checkpoint in one transaction), counted in
 * `trainyard_dead_letters_total`, and the projector moves on. `health()` says so.
 *
 * @example
 * ```ts
 * const projector = new Projector({ db: handle.db, eventLog });
 * await projector.start();
 * const { seq } = await submitJob(...);            // the command's commit sequence
 * await projector.waitFor(seq, 5_000);             // throws ProjectionTimeout if it lags
 * return getJob(handle.db, jobId);                  // reads its own write
 * ```
 */
export class Projector {
  readonly #db: Kysely<Database>;
  readonly #log: EventLog;
  readonly #name: string;
  readonly #filter: string;
  readonly #batchSize: number;
  readonly #policy: RetryPolicy;
  readonly #onError: NonNullable<ProjectorOptions['onError']>;
  readonly #onQuarantined: NonNullable<ProjectorOptions['onQuarantined']>;
  readonly #ports: BatchPorts<Queued>;

  #running = false;
  #subscription: Subscription | undefined;
  #position = 0;
  /** Highest sequence queued or applied: re-delivered commits below it are dropped. */
  #queuedUpTo = 0;
  #queue: Queued[] = [];
  #failing: ProjectorHealth['failing'] = null;
  #quarantined = 0;
  #draining: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  readonly #waiters = new Set<Waiter>();

  constructor(options: ProjectorOptions) {
    this.#db = options.db;
    this.#log = options.eventLog;
    this.#name = options.name ?? DEFAULT_PROJECTION;
    this.#filter = options.filter ?? Subjects.eventsAll;
    this.#batchSize = Math.max(1, options.batchSize ?? 500);
    // The projection's own code throws only classified errors (pure code wraps its failures, the
    // database gives a SQLSTATE): an unclassified one is an odd outage, waited out like the others.
    this.#policy = retryPolicy({ baseDelayMs: options.retryDelayMs, maxAttempts: options.maxAttempts, unknownIs: 'transient' });
    this.#onError =
      options.onError ?? ((error, { from, to }) => console.error(`projector ${this.#name}: commits ${from}..${to} failed: ${(error as Error)?.name}: ${(error as Error)?.message ?? error}`));
    this.#onQuarantined =
      options.onQuarantined ??
      ((l) => console.error(`projector ${this.#name}: commit ${l.seq} on ${l.subject} quarantined after ${l.attempts} attempt(s): ${l.code} ${l.message}`));
    this.#ports = {
      apply: (items) => this.#apply(items),
      quarantine: (item, failure, attempts) => this.#quarantine(item, failure, attempts),
      onFailure: (items, failure, _step, error) => this.#failed(items, failure, error),
      sleep: (ms) => this.#sleep(ms),
      stopped: () => !this.#running,
    };
  }

  /** Reads the checkpoint and subscribes from the next sequence. Resolves once subscribed. */
  async start(): Promise<void> {
    if (this.#running) throw new Error(`projector ${this.#name} is already running`);
    this.#position = await readCheckpoint(this.#db, this.#name);
    this.#queuedUpTo = this.#position;
    this.#queue = [];
    this.#running = true;
    this.#subscription = this.#log.subscribe(
      {
        filter: this.#filter,
        from: { seq: this.#position + 1 },
        onError: (error, commit) => this.#onError(error, { from: commit.seq, to: commit.seq }),
        // A commit that does not decode takes its place in the queue, to be quarantined in order.
        onMalformed: (malformed) => this.#enqueue(undecodableOf(malformed)),
      },
      (commit) => this.#enqueue(commit),
    );
  }

  /** Stops following the log after the batch in flight; pending `waitFor`s reject. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wake?.();
    await this.#subscription?.stop();
    while (this.#draining) await this.#draining;
    this.#subscription = undefined;
    this.#queue = [];
    for (const waiter of this.#waiters) this.#settle(waiter, false);
  }

  /** The last stream sequence whose effects are committed to the read models (0 before any). */
  position(): number {
    return this.#position;
  }

  /** Where the projection is, whether it is failing right now, and how many commits it quarantined. */
  health(): ProjectorHealth {
    return { position: this.#position, failing: this.#failing && { ...this.#failing }, quarantined: this.#quarantined };
  }

  /**
   * Resolves once the read models include commit `seq` (at once if they already do); rejects with
   * `ProjectionTimeout` after `timeoutMs`, or when the projector stops first.
   */
  waitFor(seq: number, timeoutMs: number): Promise<void> {
    if (this.#position >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { seq, timeoutMs, resolve, reject, timer: setTimeout(() => this.#settle(waiter, false), timeoutMs) };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves when everything the log held at `start()` is applied. */
  async caughtUp(): Promise<void> {
    if (!this.#subscription) throw new Error(`projector ${this.#name} is not running`);
    await this.#subscription.caughtUp;
    while (this.#draining) await this.#draining;
  }

  async #enqueue(commit: Queued): Promise<void> {
    if (!this.#running || commit.seq <= this.#queuedUpTo) return;
    this.#queuedUpTo = commit.seq;
    this.#queue.push(commit);
    this.#kick();
    // Back-pressure: the log delivers the next commit only once this resolves.
    if (this.#queue.length >= this.#batchSize) await this.#draining;
  }

  #kick(): void {
    if (this.#draining) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      // A commit may have been queued after the loop's last look at the queue.
      if (this.#running && this.#queue.length) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#running && this.#queue.length) {
      // A commit that did not decode goes alone; the others in batches up to it.
      const bad = this.#queue.findIndex(undecodable);
      const size = bad === 0 ? 1 : Math.min(this.#batchSize, bad === -1 ? this.#queue.length : bad);
      const done = await applyOrQuarantine(this.#queue.slice(0, size), this.#ports, { policy: this.#policy });
      this.#queue.splice(0, done);
    }
  }

  async #apply(items: readonly Queued[]): Promise<void> {
    if (undecodable(items[0])) throw items[0].malformed;
    this.#advance(await projectCommits(this.#db, items as StoredCommit[], this.#name));
    this.#failing = null;
  }

  async #quarantine(item: Queued, failure: Failure, attempts: Attempts): Promise<void> {
    const letter = commitDeadLetter(this.#name, item, failure, attempts, (this.#log as { stream?: string }).stream);
    this.#advance(await quarantineCommit(this.#db, this.#name, letter));
    this.#failing = null;
    this.#quarantined++;
    countDeadLetter(letter);
    this.#onQuarantined(letter);
  }

  #failed(items: readonly Queued[], failure: Failure, error: unknown): void {
    const from = items[0].seq;
    const to = items[items.length - 1].seq;
    const same = this.#failing && this.#failing.from === from;
    this.#failing = {
      since: same ? this.#failing!.since : new Date().toISOString(),
      from,
      to,
      code: failure.code,
      message: failure.message,
      retries: same ? this.#failing!.retries + 1 : 0,
    };
    this.#onError(error, { from, to });
  }

  #advance(seq: number): void {
    if (seq <= this.#position) return;
    this.#position = seq;
    for (const waiter of this.#waiters) if (waiter.seq <= seq) this.#settle(waiter, true);
  }

  #settle(waiter: Waiter, reached: boolean): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
    if (reached) waiter.resolve();
    else waiter.reject(new ProjectionTimeout(waiter.seq, this.#position, waiter.timeoutMs));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
