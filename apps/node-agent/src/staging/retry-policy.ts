/**
 * How staging retries a failed store call: the guide's MoXing defaults (L13026-13029), 10 attempts in
 * all, waiting 0.1 s after the first failure and doubling (0.1, 0.2, 0.4 …). Errors a retry cannot fix
 * (a wrong key, a missing bucket, access denied) end at once.
 */
export interface RetryPolicy {
  attempts: number;
  firstWaitMs: number;
}

export const GUIDE_RETRY: RetryPolicy = { attempts: 10, firstWaitMs: 100 };

/** Wait before attempt `n` (1-based; attempt 1 has none). Pure. */
export const waitBefore = (policy: RetryPolicy, n: number) => (n <= 1 ? 0 : policy.firstWaitMs * 2 ** (n - 2));

/** S3 error names no retry fixes. */
const FINAL = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'NoSuchBucket', 'NoSuchKey', 'InvalidBucketName', 'NotFound', 'Forbidden']);

/** Whether an error from the S3 client is worth another attempt. */
export function isRetryable(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name && FINAL.has(e.name)) return false;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) return false;
  return true;
}

/** Runs `op` under `policy`; the last error is thrown with the attempt count in `attempts`. */
export async function withRetry<T>(policy: RetryPolicy, op: () => Promise<T>, sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await op();
    } catch (err) {
      if (n >= policy.attempts || !isRetryable(err)) {
        if (err && typeof err === 'object') Object.assign(err, { attempts: n });
        throw err;
      }
      await sleep(waitBefore(policy, n + 1));
    }
  }
}
