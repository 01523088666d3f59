import { classifyFailure, type Failure } from './failure';
import { backoff, isTransient, nextStep, type RetryPolicy, type Step } from './retry-policy';

/** Counts and times of the failed attempts at one message. */
export interface Attempts {
  count: number;
  firstFailedAt: Date;
  at: Date;
}

/** What {@link applyOrQuarantine} needs from its consumer. Items keep their order. */
export interface BatchPorts<T> {
  /** Applies the items as one unit (one transaction with the consumer's checkpoint): all or nothing. */
  apply(items: readonly T[]): Promise<void>;
  /** Records the item as a dead letter and moves the checkpoint past it, as one unit. */
  quarantine(item: T, failure: Failure, attempts: Attempts): Promise<void>;
  /** Told about every failed attempt, with the error thrown and what comes next (logs, health). */
  onFailure?(items: readonly T[], failure: Failure, step: Step, error: unknown): void;
  /** Waits `ms`, resolving early when the consumer stops. */
  sleep(ms: number): Promise<void>;
  /** True once the consumer is stopping: what is left stays for its next start. */
  stopped(): boolean;
  now?(): Date;
}

export interface BatchOptions {
  policy: RetryPolicy;
  /** Transient failures in a row after which the last error is thrown. Default: never (retry forever). */
  maxTransientAttempts?: number;
}

/**
 * Applies a run of messages so that no single one can stall the consumer:
 *
 * 1. The whole run in one unit. A transient failure retries the run (forever, backing off).
 * 2. A deterministic failure means one of them is bad: the run is then applied one message at a time,
 *    so the good messages before and after the bad one still get in.
 * 3. A message that keeps failing deterministically (`maxAttempts`, or at once when the failure is
 *    final) is quarantined — dead letter and checkpoint in one unit — and the consumer moves on.
 *
 * Resolves with how many leading items are done with (applied or quarantined): all of them, unless
 * the consumer stopped first.
 *
 * @example
 * ```ts
 * const done = await applyOrQuarantine(commits, {
 *   apply: (cs) => projectCommits(db, cs, name),
 *   quarantine: (c, failure, attempts) => quarantineCommit(db, name, deadLetter(consumer, c, failure, attempts)),
 *   sleep, stopped: () => !running,
 * }, { policy });
 * ```
 */
export async function applyOrQuarantine<T>(items: readonly T[], ports: BatchPorts<T>, opts: BatchOptions): Promise<number> {
  const transient = transientCounter(opts);
  let done = 0;
  while (done < items.length && !ports.stopped()) {
    const rest = items.slice(done);
    let failed: Failed;
    try {
      await ports.apply(rest);
      return items.length;
    } catch (err) {
      failed = { failure: classifyFailure(err), error: err };
      if (isTransient(failed.failure, opts.policy)) {
        await retryLater(ports, rest, failed, transient.next(err));
        continue;
      }
    }
    if (rest.length === 1) return (await one(rest[0], ports, opts, failed)) ? items.length : done;
    // Someone in the run is bad: find it by going one at a time to the run's end.
    ports.onFailure?.(rest, failed.failure, { action: 'retry', delayMs: 0 }, failed.error);
    for (const item of rest) {
      if (!(await one(item, ports, opts))) return done;
      done++;
    }
  }
  return done;
}

interface Failed {
  failure: Failure;
  error: unknown;
}

/** One message until it is applied or quarantined; false when the consumer stopped first. */
async function one<T>(item: T, ports: BatchPorts<T>, opts: BatchOptions, first?: Failed): Promise<boolean> {
  const now = ports.now ?? (() => new Date());
  const transient = transientCounter(opts);
  let attempts = 0;
  let firstFailedAt: Date | undefined;
  let failed = first;
  while (!ports.stopped()) {
    if (!failed) {
      try {
        await ports.apply([item]);
        return true;
      } catch (err) {
        failed = { failure: classifyFailure(err), error: err };
        if (isTransient(failed.failure, opts.policy)) {
          await retryLater(ports, [item], failed, transient.next(err));
          failed = undefined;
          continue;
        }
      }
    }
    attempts++;
    firstFailedAt ??= now();
    const step = nextStep(failed.failure, attempts, opts.policy);
    ports.onFailure?.([item], failed.failure, step, failed.error);
    if (step.action === 'quarantine') return quarantine(item, failed.failure, { count: attempts, firstFailedAt, at: now() }, ports, opts);
    await ports.sleep(step.delayMs);
    failed = undefined;
  }
  return false;
}

/**
 * Writing the dead letter can fail too (the database went away meanwhile): keep trying. The letter's
 * text is made storable (`deadLetter`), so the poison's own content cannot be why.
 */
async function quarantine<T>(item: T, failure: Failure, attempts: Attempts, ports: BatchPorts<T>, opts: BatchOptions): Promise<boolean> {
  for (let n = 1; !ports.stopped(); n++) {
    try {
      await ports.quarantine(item, failure, attempts);
      return true;
    } catch (err) {
      await retryLater(ports, [item], { failure: classifyFailure(err), error: err }, backoff(n, opts.policy));
    }
  }
  return false;
}

async function retryLater<T>(ports: BatchPorts<T>, items: readonly T[], { failure, error }: Failed, delayMs: number): Promise<void> {
  ports.onFailure?.(items, failure, { action: 'retry', delayMs }, error);
  await ports.sleep(delayMs);
}

function transientCounter(opts: BatchOptions) {
  let n = 0;
  return {
    /** The back-off for the next transient retry; throws `err` once the budget is spent. */
    next(err: unknown): number {
      n++;
      if (n >= (opts.maxTransientAttempts ?? Number.POSITIVE_INFINITY)) throw err;
      return backoff(n, opts.policy);
    },
  };
}
