/**
 * When a webhook delivery is tried again (issue 15): exponential back-off, capped, with a bounded
 * downward jitter so receivers that failed together are not retried together.
 *
 * @example
 * ```ts
 * retryDelayMs(1, DEFAULT_BACKOFF, 0) // 1000: the second attempt a second after the first failed
 * retryDelayMs(3, DEFAULT_BACKOFF, 0) // 4000
 * retryDelayMs(DEFAULT_BACKOFF.maxAttempts, DEFAULT_BACKOFF, 0) // undefined: give up, the delivery failed
 * ```
 */
export interface BackoffPolicy {
  /** Delay after the first failed attempt. */
  firstDelayMs: number;
  /** Each further failure multiplies the delay by this (≥ 1). */
  factor: number;
  maxDelayMs: number;
  /** Attempts in all, the first included; after that many failures the delivery is failed. */
  maxAttempts: number;
  /** 0–1: a delay is drawn from [d·(1−jitter), d]. */
  jitter: number;
}

/** 1 s, 2 s, 4 s … capped at 10 min; 12 attempts span about 45 minutes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { firstDelayMs: 1000, factor: 2, maxDelayMs: 600_000, maxAttempts: 12, jitter: 0.2 };

/** The uncapped-then-capped delay before the attempt after `failedAttempt` (1-based), without jitter. */
export function baseDelayMs(failedAttempt: number, p: BackoffPolicy): number {
  return Math.min(p.maxDelayMs, p.firstDelayMs * p.factor ** Math.max(0, failedAttempt - 1));
}

/**
 * Milliseconds to wait after attempt `failedAttempt` failed, or undefined when it was the last one.
 * `random` ∈ [0, 1) is an input (clocks and randomness are inputs, STYLE 3).
 */
export function retryDelayMs(failedAttempt: number, p: BackoffPolicy, random: number): number | undefined {
  if (failedAttempt >= p.maxAttempts) return undefined;
  const d = baseDelayMs(failedAttempt, p);
  return Math.round(d * (1 - p.jitter * Math.min(Math.max(random, 0), 1)));
}

/** What an HTTP answer means for a delivery: 2xx delivered; 410 Gone is final; anything else is tried again. */
export function answerOutcome(statusCode: number | undefined): 'delivered' | 'retry' | 'gone' {
  if (statusCode !== undefined && statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 410) return 'gone';
  return 'retry';
}
