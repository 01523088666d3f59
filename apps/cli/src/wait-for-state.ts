import { ApiError, ApiUnreachableError } from './api-errors';
import type { JobView } from '@trainyard/contracts';
import { CliError, ExitCode } from './cli-error';
import { formatDuration } from './format';
import { judgeWait } from './wait-verdict';

export interface WaitOptions {
  target: string;
  /** No deadline when absent. */
  timeoutMs?: number;
  intervalMs: number;
}

export interface WaitDeps {
  getJob(id: string): Promise<JobView>;
  /** Milliseconds on any monotonic-enough clock; only differences are used. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Called when the observed state changes (the first observation included). */
  onState?(state: string): void;
}

/** Exit code when the job can no longer reach the state waited for. */
export const JOB_ENDED_ELSEWHERE = ExitCode.Error;

/**
 * Polls a job until `judgeWait` says it reached the target. Resolves with the last view (`undefined`
 * when the target was `deleted` and the job is gone); throws `CliError` `JOB_ENDED` (exit 1) when the
 * target became unreachable and `TIMEOUT` (exit 124) when the deadline passed.
 *
 * The first poll's errors surface as they are (a wrong id is `NOT_FOUND`, a dead API is `UNREACHABLE`).
 * After that, an API restart or a 5xx is ridden out until the deadline: a long wait should not die
 * because the API was redeployed meanwhile.
 */
export async function waitForState(jobId: string, opts: WaitOptions, deps: WaitDeps): Promise<JobView | undefined> {
  const start = deps.now();
  const deadline = opts.timeoutMs === undefined ? Infinity : start + opts.timeoutMs;
  let lastState: string | undefined;
  let polled = false;
  let lastView: JobView | undefined;

  for (;;) {
    let seen: { state: string } | { gone: true } | undefined;
    try {
      lastView = await deps.getJob(jobId);
      seen = { state: lastView.state };
    } catch (err) {
      if (err instanceof ApiError && err.status === 404 && (polled || opts.target.toLowerCase() === 'deleted')) {
        seen = { gone: true };
        lastView = undefined;
      } else if (!polled || !isTransient(err)) {
        throw err;
      }
    }
    polled = true;

    if (seen) {
      const current = 'gone' in seen ? 'gone' : seen.state;
      if (current !== lastState) deps.onState?.(current);
      lastState = current;
      const verdict = judgeWait(jobId, opts.target, seen);
      if (verdict.kind === 'reached') return lastView;
      if (verdict.kind === 'unreachable') throw new CliError('JOB_ENDED', verdict.message, JOB_ENDED_ELSEWHERE);
    }

    const left = deadline - deps.now();
    if (left <= 0) {
      const where = lastState ? `still ${lastState}` : 'not answering';
      throw new CliError(
        'TIMEOUT',
        `job ${jobId} is ${where} after ${formatDuration(deps.now() - start)}; gave up waiting for ${opts.target}`,
        ExitCode.Timeout,
      );
    }
    await deps.sleep(Math.min(opts.intervalMs, left));
  }
}

function isTransient(err: unknown): boolean {
  return (err instanceof ApiUnreachableError && err.reason !== 'not-found') || (err instanceof ApiError && err.status >= 500);
}
