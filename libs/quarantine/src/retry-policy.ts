import type { Failure } from './failure';

/**
 * How a consumer treats a message it failed to handle (see {@link Failure}).
 *
 * @example
 * ```ts
 * const policy = retryPolicy({ maxAttempts: 5 });
 * nextStep(failure, 1, policy); // { action: 'retry', delayMs: 200 } … then { action: 'quarantine' } at 5
 * ```
 */
export interface RetryPolicy {
  /** Failed attempts at a deterministic failure before the message is quarantined. Default 3. */
  maxAttempts: number;
  /** Back-off after the first failure; it doubles per attempt. Default 200 ms. */
  baseDelayMs: number;
  /** Longest back-off (transient failures are retried forever at this pace). Default 5 000 ms. */
  maxDelayMs: number;
  /**
   * What a failure nothing classifies counts as. `deterministic` (the default) bounds the retries, so
   * an unforeseen error in a handler cannot stall its consumer forever; consumers whose own code
   * throws only classified errors (the projector: pure code wraps its errors, the database gives a
   * SQLSTATE) choose `transient`, so an odd outage never quarantines good messages.
   */
  unknownIs: 'transient' | 'deterministic';
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000, unknownIs: 'deterministic' };

/** The default policy with some fields replaced; values out of range are clamped to sensible ones. */
export function retryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const p = { ...DEFAULT_RETRY_POLICY, ...stripUndefined(overrides) };
  return {
    maxAttempts: Math.max(1, Math.floor(p.maxAttempts)),
    baseDelayMs: Math.max(0, p.baseDelayMs),
    maxDelayMs: Math.max(0, p.baseDelayMs, p.maxDelayMs),
    unknownIs: p.unknownIs,
  };
}

export type Step = { action: 'retry'; delayMs: number } | { action: 'quarantine' };

/**
 * What to do after the `attempts`-th failed attempt (1-based). Transient failures are retried forever
 * with a capped exponential back-off; deterministic ones `maxAttempts` times; final ones not at all.
 */
export function nextStep(failure: Failure, attempts: number, policy: RetryPolicy): Step {
  if (isTransient(failure, policy)) return { action: 'retry', delayMs: backoff(attempts, policy) };
  if (failure.final || attempts >= policy.maxAttempts) return { action: 'quarantine' };
  return { action: 'retry', delayMs: backoff(attempts, policy) };
}

export function isTransient(failure: Failure, policy: RetryPolicy): boolean {
  return failure.kind === 'transient' || (failure.kind === 'unknown' && policy.unknownIs === 'transient');
}

/** `baseDelayMs · 2^(attempts-1)`, capped at `maxDelayMs`. Deterministic: tests and replays can count on it. */
export function backoff(attempts: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>): number {
  const exponent = Math.min(Math.max(0, attempts - 1), 30);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
