import { type StoredCommit, Subjects } from '@trainyard/contracts';
import type { EventLog, Subscription } from '@trainyard/event-log';
import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { projectCommits } from './apply-commit';
import { DEFAULT_PROJECTION, readCheckpoint } from './checkpoint';
import { ProjectionTimeout } from './projection-timeout';

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
  /** Pause before retrying a batch whose transaction failed. Default 1000 ms. */
  retryDelayMs?: number;
  /**
   * Told about every failed transaction (the projector retries it) and every commit the log could
   * not decode (skipped by the log itself). Default `console.error`.
   */
  onError?: (error: unknown, commits: { from: number; to: number }) => void;
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
 * resumes after the last committed batch. A failing transaction is retried until it succeeds; the
 * projector never steps over a commit.
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
  readonly #retryDelayMs: number;
  readonly #onError: NonNullable<ProjectorOptions['onError']>;

  #running = false;
  #subscription: Subscription | undefined;
  #position = 0;
  /** Highest sequence queued or applied: re-delivered commits below it are dropped. */
  #queuedUpTo = 0;
  #queue: StoredCommit[] = [];
  #draining: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  readonly #waiters = new Set<Waiter>();

  constructor(options: ProjectorOptions) {
    this.#db = options.db;
    this.#log = options.eventLog;
    this.#name = options.name ?? DEFAULT_PROJECTION;
    this.#filter = options.filter ?? Subjects.eventsAll;
    this.#batchSize = Math.max(1, options.batchSize ?? 500);
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#onError = options.onError ?? ((error, { from, to }) => console.error(`projector ${this.#name}: commits ${from}..${to} failed, retrying`, error));
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
        // The log skips a commit it cannot decode (a rebuild skips it alike); say so.
        onError: (error, commit) => this.#onError(error, { from: commit.seq, to: commit.seq }),
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

  async #enqueue(commit: StoredCommit): Promise<void> {
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
    // After a failure, go one commit at a time up to the batch's end, so a commit that cannot be
    // applied does not hold back the good commits before it.
    let carefulUpTo = 0;
    while (this.#running && this.#queue.length) {
      const batch = this.#queue.slice(0, this.#queue[0].seq <= carefulUpTo ? 1 : this.#batchSize);
      try {
        const seq = await projectCommits(this.#db, batch, this.#name);
        this.#queue.splice(0, batch.length);
        this.#advance(seq);
      } catch (error) {
        carefulUpTo = batch[batch.length - 1].seq;
        this.#onError(error, { from: batch[0].seq, to: carefulUpTo });
        await this.#sleep(this.#retryDelayMs);
      }
    }
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
