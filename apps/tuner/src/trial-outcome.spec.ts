import { event } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { evolveTrialJob, type TrialJob } from './trial-jobs';
import { trialOutcome } from './trial-outcome';

const reports = (...vs: number[]) => vs.map((value, i) => ({ step: i + 1, value, line: i + 1 }));
const T = '2026-12-03T12:00:00.000Z';

describe('trial outcome', () => {
  it('trialOutcome - a succeeded job with reports is completed with its last value; without one it failed', () => {
    expect(trialOutcome({ trial: 2, status: 'running', reports: reports(3, 2, 1.5) }, 'succeeded', 'loss')).toEqual({ trial: 2, outcome: 'completed', value: 1.5 });
    expect(trialOutcome({ trial: 2, status: 'running', reports: [] }, 'succeeded', 'loss')).toEqual({ trial: 2, outcome: 'failed', reason: "the metric loss matched no line of worker-0's log" });
  });

  it('trialOutcome - pruned by the tuner, stopped by anyone, failed otherwise', () => {
    expect(trialOutcome({ trial: 1, status: 'pruning', reports: reports(9) }, 'terminated', 'loss')).toEqual({ trial: 1, outcome: 'pruned', value: 9 });
    expect(trialOutcome({ trial: 1, status: 'running', reports: [] }, 'terminated', 'loss').outcome).toBe('stopped');
    expect(trialOutcome({ trial: 1, status: 'running', reports: reports(4) }, 'failed', 'loss')).toEqual({ trial: 1, outcome: 'failed', value: 4, reason: 'its job is failed' });
    expect(trialOutcome({ trial: 1, status: 'running', reports: [] }, 'deleted', 'loss').reason).toBe('its job was deleted');
  });

  it('evolveTrialJob - created, attempts, and an end that a new attempt takes back', () => {
    const j0: TrialJob = { searchId: 's', trial: 1, created: false, attempt: 0 };
    const placements: never[] = [];
    let j = evolveTrialJob(j0, event('JobCreated', T, { jobId: 'j', spec: {} as never, tasks: ['worker-0'], createdBy: 'u' }));
    j = evolveTrialJob(j, event('JobScheduled', T, { attempt: 1, placements }));
    j = evolveTrialJob(j, event('JobFailed', T, { attempt: 1 } as never));
    expect(j).toMatchObject({ created: true, attempt: 1, end: { how: 'failed', at: Date.parse(T) } });
    j = evolveTrialJob(j, event('JobScheduled', T, { attempt: 2, placements }));
    expect(j.end).toBeUndefined();
    j = evolveTrialJob(j, event('JobSucceeded', T, { attempt: 2 }));
    expect(j).toMatchObject({ attempt: 2, end: { how: 'succeeded' } });
  });
});
