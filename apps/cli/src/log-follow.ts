import type { LogLine } from '@trainyard/contracts';
import type { ApiClient } from './api-client';
import { CliError } from './cli-error';
import { DEFAULT_FOLLOW_POLICY, type FollowDeps, type FollowPolicy, followSse } from './sse-follow';

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
  return followSse<{ state: string }>(
    {
      // seq counts lines within one attempt, and without `attempt` the API picks the latest one: so a
      // resume names the attempt its cursor belongs to, or a restart in between would skip lines.
      open: () => client.openLogStream(target.jobId, target.task, { attempt: target.attempt ?? last?.attempt, afterSeq: last?.seq }),
      take(ev) {
        if (ev.event === 'end') return { done: { state: String(parseData<{ state?: unknown }>(ev.data).state ?? 'unknown') } };
        if (ev.event !== 'line') return false; // keep-alives and events this CLI does not know
        const line = parseData<LogLine>(ev.data);
        if (last && line.attempt === last.attempt && line.seq <= last.seq) return false;
        hooks.line(line);
        last = { attempt: line.attempt, seq: line.seq };
        return true;
      },
      closedMessage: 'the server closed the stream before the task ended',
      notice: () => `log stream interrupted; reconnecting ${last ? `after line ${last.seq}` : 'from the start'}\n`,
      lost: (lastError, max) => {
        const why = lastError instanceof Error ? lastError.message : String(lastError);
        return new CliError('LOG_STREAM_LOST', `gave up following ${target.task} of job ${target.jobId} after ${max} reconnects: ${why}`, undefined, { cause: lastError });
      },
    },
    hooks.notice,
    deps,
    policy,
  );
}

function parseData<T>(data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new CliError('BAD_RESPONSE', `the log stream sent an event whose data is not JSON: ${data.slice(0, 200)}`);
  }
}
