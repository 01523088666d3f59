import { ApiError, ApiUnreachableError } from './api-errors';
import type { ApiClient } from './api-client';
import type { LogLine } from '@trainyard/contracts';
import { CliError } from './cli-error';
import { SseParser } from '@trainyard/contracts';

export interface FollowTarget {
  jobId: string;
  task: string;
  attempt?: number;
}

export interface FollowHooks {
  line(line: LogLine): void;
  /** Something the user should know that is not log output (a reconnect). */
  notice(text: string): void;
}

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

/**
 * Streams a task's log (`follow=true`, server-sent events) until the server sends `end`, and resolves
 * with the task's final state. A connection that drops, or closes without `end`, is reopened with
 * the attempt and `afterSeq` of the last line printed, so nothing is printed twice or skipped. Lines the server repeats
 * anyway (same attempt, seq not after the cursor) are dropped.
 */
export async function followLog(
  client: Pick<ApiClient, 'openLogStream'>,
  target: FollowTarget,
  hooks: FollowHooks,
  deps: FollowDeps,
  policy: FollowPolicy = DEFAULT_FOLLOW_POLICY,
): Promise<{ state: string }> {
  let last: { attempt: number; seq: number } | undefined;
  let failures = 0;
  let lastError: unknown;

  for (;;) {
    let body: AsyncIterable<Uint8Array> | undefined;
    try {
      // seq counts lines within one attempt, and without `attempt` the API picks the latest one: so a
      // resume names the attempt its cursor belongs to, or a restart in between would skip lines.
      body = await client.openLogStream(target.jobId, target.task, { attempt: target.attempt ?? last?.attempt, afterSeq: last?.seq });
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
            lastError = new Error('the server closed the stream before the task ended');
            break;
          }
          for (const ev of parser.push(next.value)) {
            if (ev.event === 'end') return { state: String(parseData<{ state?: unknown }>(ev.data).state ?? 'unknown') };
            if (ev.event !== 'line') continue; // keep-alives and events this CLI does not know
            const line = parseData<LogLine>(ev.data);
            if (last && line.attempt === last.attempt && line.seq <= last.seq) continue;
            hooks.line(line);
            last = { attempt: line.attempt, seq: line.seq };
            failures = 0;
          }
        }
      } finally {
        await chunks.return?.().catch(() => undefined);
      }
    }
    failures += 1;
    if (failures > policy.maxFailures) {
      const why = lastError instanceof Error ? lastError.message : String(lastError);
      throw new CliError('LOG_STREAM_LOST', `gave up following ${target.task} of job ${target.jobId} after ${policy.maxFailures} reconnects: ${why}`, undefined, { cause: lastError });
    }
    const resume = last ? `after line ${last.seq}` : 'from the start';
    hooks.notice(`log stream interrupted; reconnecting ${resume}\n`);
    await deps.sleep(policy.backoffMs(failures));
  }
}

function parseData<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new CliError('BAD_RESPONSE', `the log stream sent an event whose data is not JSON: ${data.slice(0, 200)}`);
  }
}

/** Nothing listening (yet) and a restarting API are worth a retry; 4xx, an unknown host and Ctrl-C are not. */
function isRetryableConnectError(err: unknown): boolean {
  if (err instanceof ApiUnreachableError) return err.reason !== 'not-found';
  return err instanceof ApiError && err.status >= 500;
}
