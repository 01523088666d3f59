import { describe, expect, it } from 'vitest';
import { ApiError, ApiUnreachableError } from './api-errors';
import type { JobView } from '@trainyard/contracts';
import { CliError, ExitCode } from './cli-error';
import { judgeWait } from './wait-verdict';
import { waitForState } from './wait-for-state';

describe('wait - verdict', () => {
  const judge = (target: string, state: string) => judgeWait('j1', target, { state }).kind;

  it('is reached when the state matches, whatever the case', () => {
    expect(judge('running', 'running')).toBe('reached');
    expect(judge('Completed', 'completed')).toBe('reached');
  });

  it('keeps waiting through the states before the target', () => {
    for (const state of ['creating', 'waiting', 'running', 'terminating']) expect(judge('completed', state)).toBe('keep-waiting');
  });

  it('gives up as soon as the job ends in another terminal state', () => {
    for (const state of ['completed', 'failed', 'terminated', 'abnormal']) {
      expect(judge(state === 'failed' ? 'completed' : 'failed', state)).toBe('unreachable');
      expect(judge('running', state)).toBe('unreachable');
    }
    expect(judgeWait('j1', 'completed', { state: 'failed' })).toEqual({ kind: 'unreachable', message: 'job j1 ended failed, not completed' });
  });

  it('follows the deletion path: terminal → deleting → deleted → gone', () => {
    expect(judge('deleting', 'completed')).toBe('keep-waiting');
    expect(judge('deleted', 'failed')).toBe('keep-waiting');
    expect(judge('deleted', 'deleting')).toBe('keep-waiting');
    expect(judge('running', 'deleting')).toBe('unreachable');
    expect(judge('completed', 'deleted')).toBe('unreachable');
    expect(judgeWait('j1', 'deleted', { gone: true }).kind).toBe('reached');
    expect(judgeWait('j1', 'running', { gone: true }).kind).toBe('unreachable');
  });
});

/** A scripted job: each poll returns the next answer (the last one repeats); sleeping advances a fake clock. */
function scripted(answers: (string | Error)[]) {
  let clock = 0;
  const polls: number[] = [];
  const sleeps: number[] = [];
  const states: string[] = [];
  return {
    polls,
    sleeps,
    states,
    deps: {
      getJob: async (id: string) => {
        polls.push(clock);
        const answer = answers[Math.min(polls.length - 1, answers.length - 1)];
        if (answer instanceof Error) throw answer;
        return { id, state: answer } as JobView;
      },
      now: () => clock,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        clock += ms;
      },
      onState: (s: string) => void states.push(s),
    },
  };
}

async function exitOf(p: Promise<unknown>): Promise<{ exit: number; code?: string; message?: string }> {
  try {
    await p;
    return { exit: ExitCode.Ok };
  } catch (err) {
    if (err instanceof CliError) return { exit: err.exitCode, code: err.code, message: err.message };
    throw err;
  }
}

describe('wait - polling and exit codes', () => {
  it('exits 0 once the job reaches the state, reporting each state change once', async () => {
    const s = scripted(['waiting', 'waiting', 'running']);
    const job = await waitForState('j1', { target: 'running', intervalMs: 1000 }, s.deps);
    expect(job?.state).toBe('running');
    expect(s.polls).toEqual([0, 1000, 2000]);
    expect(s.states).toEqual(['waiting', 'running']);
  });

  it('exits 1 early when the job ends in another terminal state', async () => {
    const s = scripted(['running', 'failed']);
    expect(await exitOf(waitForState('j1', { target: 'completed', intervalMs: 500, timeoutMs: 60_000 }, s.deps))).toEqual({
      exit: 1,
      code: 'JOB_ENDED',
      message: 'job j1 ended failed, not completed',
    });
    expect(s.polls).toHaveLength(2);
  });

  it('exits 124 at the deadline, never sleeping past it', async () => {
    const s = scripted(['waiting']);
    const result = await exitOf(waitForState('j1', { target: 'running', intervalMs: 2000, timeoutMs: 5000 }, s.deps));
    expect(result).toMatchObject({ exit: 124, code: 'TIMEOUT' });
    expect(result.message).toBe('job j1 is still waiting after 5s; gave up waiting for running');
    expect(s.sleeps).toEqual([2000, 2000, 1000]);
    expect(s.polls).toEqual([0, 2000, 4000, 5000]);
  });

  it('surfaces a first-poll error as it is (wrong id, API down)', async () => {
    const notFound = new ApiError(404, 'NOT_FOUND', 'no such job');
    await expect(waitForState('nope', { target: 'running', intervalMs: 1 }, scripted([notFound]).deps)).rejects.toBe(notFound);
    const down = new ApiUnreachableError('http://x', 'refused', 'connection refused');
    await expect(waitForState('j1', { target: 'running', intervalMs: 1 }, scripted([down]).deps)).rejects.toBe(down);
  });

  it('rides out an API restart after the first poll', async () => {
    const s = scripted(['waiting', new ApiUnreachableError('http://x', 'refused', 'refused'), new ApiError(503, 'UNAVAILABLE', 'busy'), 'running']);
    await expect(waitForState('j1', { target: 'running', intervalMs: 10 }, s.deps)).resolves.toMatchObject({ state: 'running' });
    expect(s.polls).toHaveLength(4);
  });

  it('does not ride out a client error after the first poll', async () => {
    const forbidden = new ApiError(403, 'FORBIDDEN', 'no');
    await expect(waitForState('j1', { target: 'running', intervalMs: 10 }, scripted(['waiting', forbidden]).deps)).rejects.toBe(forbidden);
  });

  it('treats a job that disappears as deleted', async () => {
    const gone = new ApiError(404, 'NOT_FOUND', 'job j1 was deleted');
    expect(await exitOf(waitForState('j1', { target: 'deleted', intervalMs: 10 }, scripted(['completed', 'deleting', gone]).deps))).toEqual({ exit: 0 });
    expect(await exitOf(waitForState('j1', { target: 'deleted', intervalMs: 10 }, scripted([gone]).deps))).toEqual({ exit: 0 });
    expect(await exitOf(waitForState('j1', { target: 'running', intervalMs: 10 }, scripted(['waiting', gone]).deps))).toMatchObject({ exit: 1, code: 'JOB_ENDED' });
  });
});
