import { type SseEvent, SseParser } from '@trainyard/contracts';
import { ApiError, ApiUnreachableError } from './api-errors';

export interface FollowDeps {
  sleep(ms: number): Promise<void>;
}

export interface FollowPolicy {
  /** Consecutive connections that deliver nothing before giving up. */
  maxFailures: number;
  backoffMs(failures: number): number;
}

export const DEFAULT_FOLLOW_POLICY: FollowPolicy = {
  maxFailures: 10,
  backoffMs: (n) => Math.min(250 * 2 ** (n - 1), 5_000),
};

/** What one followed stream does with the reconnecting reader (`followSse`). */
export interface SseFollow<R> {
  /** Opens the stream from the caller's cursor (the last thing it took). */
  open(): Promise<AsyncIterable<Uint8Array>>;
  /** One frame: `{ done }` ends the follow with it, `true` says something new was taken (the failure count starts again). */
  take(ev: SseEvent): { done: R } | boolean;
  /** Why a stream that ended by itself is a failure. */
  closedMessage: string;
  /** What to say before reconnecting. */
  notice(): string;
  /** The error to give up with after `maxFailures` reconnects. */
  lost(lastError: unknown, maxFailures: number): Error;
}

/**
 * Reads a server-sent event stream and reopens it when it drops or closes, with back-off: the
 * shape `yard logs -f` and `yard events --all -f` share. A connect error that is not worth a retry,
 * and Ctrl-C (an AbortError), are thrown as they are.
 */
export async function followSse<R>(f: SseFollow<R>, notice: (text: string) => void, deps: FollowDeps, policy: FollowPolicy): Promise<R> {
  let failures = 0;
  let lastError: unknown;
  for (;;) {
    let body: AsyncIterable<Uint8Array> | undefined;
    try {
      body = await f.open();
    } catch (err) {
      if (!isRetryableConnectError(err)) throw err;
      lastError = err;
    }
    if (body) {
      const parser = new SseParser();
      const chunks = body[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<Uint8Array>;
          try {
            next = await chunks.next();
          } catch (err) {
            // A dropped socket surfaces here as a TypeError ("terminated"); Ctrl-C as an AbortError.
            if (err instanceof Error && err.name === 'AbortError') throw err;
            lastError = err;
            break;
          }
          if (next.done) {
            lastError = new Error(f.closedMessage);
            break;
          }
          for (const ev of parser.push(next.value)) {
            const taken = f.take(ev);
            if (typeof taken === 'object') return taken.done;
            if (taken) failures = 0;
          }
        }
      } finally {
        await chunks.return?.().catch(() => undefined);
      }
    }
    failures += 1;
    if (failures > policy.maxFailures) throw f.lost(lastError, policy.maxFailures);
    notice(f.notice());
    await deps.sleep(policy.backoffMs(failures));
  }
}

/** Nothing listening (yet) and a restarting API are worth a retry; 4xx, an unknown host and Ctrl-C are not. */
function isRetryableConnectError(err: unknown): boolean {
  if (err instanceof ApiUnreachableError) return err.reason !== 'not-found';
  return err instanceof ApiError && err.status >= 500;
}
