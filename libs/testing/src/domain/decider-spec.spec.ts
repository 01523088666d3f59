import { ErrorCode, event } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { trainingJobDecider, type StopJob } from '@trainyard/domain';
import { DeciderSpec, deepEqual } from './decider-spec';
import { T1, cmd, createdHistory, runningHistory } from './training-job-fixtures';

const spec = DeciderSpec.for(trainingJobDecider);
const stop = cmd<StopJob>('StopJob', { by: 'user:ada', reason: 'user' });

describe('decider spec - harness', () => {
  it('passes on the exact events and returns the state after them', () => {
    const s = spec.given(runningHistory()).when(stop).then([event('JobStopRequested', T1, { by: 'user:ada', reason: 'user' })]);
    expect(s.status).toBe('terminating');
  });

  it('fails on different events, with actual and expected for the diff', () => {
    let err: unknown;
    try {
      spec.given(runningHistory()).when(stop).then([]);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ expected: [], showDiff: true });
    expect((err as { actual: unknown[] }).actual).toHaveLength(1);
  });

  it('fails when events were expected and a rejection came, and the other way round', () => {
    expect(() => spec.given([]).when(stop).then([])).toThrow(/rejection/);
    expect(() => spec.given(runningHistory()).when(stop).then(ErrorCode.NotFound)).toThrow(/expected rejection/);
  });

  it('matches a rejection on code, and on reason when given', () => {
    spec.given([]).when(stop).then(ErrorCode.NotFound);
    spec.given([]).when(stop).then({ code: ErrorCode.NotFound, reason: 'JobNotFound' });
    expect(() => spec.given([]).when(stop).then(ErrorCode.IllegalState)).toThrow(/rejection differs/);
    expect(() => spec.given([]).when(stop).then({ code: ErrorCode.NotFound, reason: 'Other' })).toThrow(/rejection differs/);
  });

  it('thenNothing expects an accepted, empty decision', () => {
    expect(() => spec.given(createdHistory()).when(stop).thenNothing()).toThrow();
  });

  it('deepEqual treats undefined properties as absent', () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, { c: 2 }] }, { a: [1, { c: 3 }] })).toBe(false);
    expect(deepEqual([1], { 0: 1 })).toBe(false);
  });
});
