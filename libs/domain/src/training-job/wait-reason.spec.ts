import { event, type JobWaitReason } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cmd, createdHistory, T0 } from '@trainyard/testing/domain';
import type { ExistingTrainingJob } from './training-job';
import { trainingJobDecider, type RecordWaitReason } from './training-job.decide';
import { DEFAULT_WAIT_REASON_POLICY, waitCause, waitDetailsMoved, waitReasonWorthRecording } from './wait-reason';

const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const MINUTE = 60_000;

/** Folds passes through the real decider, as the scheduler commits them; returns the JobWaiting recorded. */
function record(passes: Array<{ reason: JobWaitReason; atMs: number }>, policy = {}): JobWaitReason[] {
  let state = createdHistory().reduce(trainingJobDecider.evolve, trainingJobDecider.initialState());
  const recorded: JobWaitReason[] = [];
  for (const p of passes) {
    const decision = trainingJobDecider.decide(cmd<RecordWaitReason>('RecordWaitReason', { reason: p.reason, policy }, at(p.atMs)), state);
    if (!decision.ok) throw new Error(decision.rejection.message);
    for (const e of decision.events) {
      if (e.type === 'JobWaiting') recorded.push(e.data.reason);
      state = trainingJobDecider.evolve(state, e);
    }
  }
  return recorded;
}

describe('wait reason - what a person waiting would care about', () => {
  const last = { reason: { code: 'INSUFFICIENT_RESOURCES', position: 3, deficit: { gpu: 4, cpu: 10 }, unplacedInstances: 2 }, at: at(0), refreshes: 0 };

  it('the first reason and a change of cause are recorded at once', () => {
    expect(waitReasonWorthRecording(undefined, last.reason, at(0))).toBe(true);
    for (const code of ['HOLDING_RESERVATION', 'PREEMPTION_PENDING', 'NO_NODES_IN_POOL', 'NEVER_FITS', 'SOMETHING_NEW']) {
      expect(waitReasonWorthRecording(last, { code }, at(1))).toBe(true);
    }
    const never = { reason: { code: 'NEVER_FITS', cause: 'INSTANCE_TOO_LARGE' }, at: at(0), refreshes: 0 };
    expect(waitReasonWorthRecording(never, { code: 'NEVER_FITS', cause: 'GANG_TOO_LARGE' }, at(1))).toBe(true);
  });

  it('the two capacity codes are one cause: trading places is a refresh, not a change', () => {
    expect(waitCause({ code: 'BEHIND_IN_QUEUE' })).toBe(waitCause({ code: 'INSUFFICIENT_RESOURCES' }));
    expect(waitReasonWorthRecording(last, { code: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'j1' }, at(1_000))).toBe(false);
    expect(waitReasonWorthRecording(last, { code: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'j1' }, at(MINUTE))).toBe(true);
  });

  it('numbers of the same cause are refreshed only when they moved, a minute apart, at most 3 times', () => {
    const moved = { ...last.reason, deficit: { gpu: 2, cpu: 10 } };
    expect(waitReasonWorthRecording(last, moved, at(MINUTE - 1))).toBe(false);
    expect(waitReasonWorthRecording(last, moved, at(MINUTE))).toBe(true);
    expect(waitReasonWorthRecording(last, { ...last.reason, deficit: { gpu: 4, cpu: 10.5 } }, at(10 * MINUTE))).toBe(false);
    expect(waitReasonWorthRecording({ ...last, refreshes: 3 }, moved, at(60 * MINUTE))).toBe(false);
    expect(waitReasonWorthRecording(last, moved, at(1), { refreshMs: 0, maxRefreshes: 1 })).toBe(true);
  });

  it('instances without room count as all or some; positions by band, with a margin going back', () => {
    const r = { code: 'INSUFFICIENT_RESOURCES', position: 4, unplacedInstances: 2 };
    expect(waitDetailsMoved(r, { ...r, unplacedInstances: 3 }, 4)).toBe(false);
    expect(waitDetailsMoved(r, { ...r, unplacedInstances: 4 }, 4)).toBe(true);
    expect(waitDetailsMoved(r, { ...r, unplacedInstances: 1 })).toBe(true);
    expect(waitDetailsMoved(r, { ...r, position: 1 })).toBe(true); // the head
    expect(waitDetailsMoved(r, { ...r, position: 2 })).toBe(false);
    expect(waitDetailsMoved(r, { ...r, position: 7 })).toBe(false); // wobbling past 5
    expect(waitDetailsMoved(r, { ...r, position: 8 })).toBe(true);
    expect(waitDetailsMoved({ ...r, position: 30 }, { ...r, position: 19 })).toBe(true);
    expect(waitDetailsMoved({ ...r, position: 300 }, { ...r, position: 5000 })).toBe(false);
  });

  it('a drifting expected start or reordered victims are not news; a start appearing is', () => {
    expect(waitDetailsMoved({ code: 'H', startsAt: at(0) }, { code: 'H', startsAt: at(5 * MINUTE) })).toBe(false);
    expect(waitDetailsMoved({ code: 'H', startsAt: null }, { code: 'H', startsAt: at(0) })).toBe(true);
    expect(waitDetailsMoved({ code: 'P', victims: ['b', 'a'] }, { code: 'P', victims: ['a', 'b'] })).toBe(false);
  });

  it('the flap of issue 9 — 60 passes in 15 s alternating two partial fits as the position falls — records one event', () => {
    const passes = Array.from({ length: 60 }, (_, i) => ({
      atMs: i * 250,
      reason: i % 2 === 0
        ? { code: 'INSUFFICIENT_RESOURCES', position: 60 - i, deficit: { cpu: 0.25 }, unplacedInstances: 2 }
        : { code: 'INSUFFICIENT_RESOURCES', position: 60 - i, unplacedInstances: 1 },
    }));
    expect(record(passes)).toHaveLength(1);
  });

  it('the state keeps when the reason was recorded and how many refreshes its cause had; a placement clears both', () => {
    const s = [...createdHistory(), event('JobWaiting', at(0), { reason: { code: 'INSUFFICIENT_RESOURCES' } }), event('JobWaiting', at(MINUTE), { reason: { code: 'BEHIND_IN_QUEUE' } })]
      .reduce(trainingJobDecider.evolve, trainingJobDecider.initialState()) as ExistingTrainingJob;
    expect(s.waitRecord).toEqual({ at: at(MINUTE), refreshes: 1 });
    const t = trainingJobDecider.evolve(s, event('JobWaiting', at(2 * MINUTE), { reason: { code: 'HOLDING_RESERVATION' } })) as ExistingTrainingJob;
    expect(t.waitRecord).toEqual({ at: at(2 * MINUTE), refreshes: 0 });
  });
});

// ---------------------------------------------------------------- properties

const CODES_BY_CAUSE = [['INSUFFICIENT_RESOURCES', 'BEHIND_IN_QUEUE'], ['HOLDING_RESERVATION'], ['PREEMPTION_PENDING'], ['NO_NODES_IN_POOL']];
const numbers = fc.record(
  {
    position: fc.integer({ min: 1, max: 500 }),
    unplacedInstances: fc.integer({ min: 0, max: 8 }),
    deficit: fc.record({ cpu: fc.double({ min: 0.01, max: 64, noNaN: true }), gpu: fc.integer({ min: 1, max: 8 }) }, { requiredKeys: [] }),
    blockedBy: fc.constantFrom('j1', 'j2', 'j3'),
    victims: fc.subarray(['v1', 'v2', 'v3']),
    startsAt: fc.option(fc.constantFrom(at(0), at(MINUTE)), { nil: null }),
  },
  { requiredKeys: ['position'] },
);
/** Passes of one cause: any code of it, any numbers, any gaps (several passes per millisecond to hours apart). */
const oneCause = (cause: number) =>
  fc.array(fc.record({ code: fc.constantFrom(...CODES_BY_CAUSE[cause]), numbers, gapMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * 60 * MINUTE })) }), { minLength: 1, maxLength: 200 });

function timed(passes: Array<{ code: string; numbers: object; gapMs: number }>, startMs = 0) {
  let t = startMs;
  return passes.map((p) => ({ reason: { code: p.code, ...p.numbers } as JobWaitReason, atMs: (t += p.gapMs) }));
}

describe('wait reason - bounded, whatever the passes', () => {
  it('property: while the cause stays the same, at most 1 + maxRefreshes JobWaiting are recorded', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: CODES_BY_CAUSE.length - 1 }).chain(oneCause), (passes) => {
        const recorded = record(timed(passes));
        expect(recorded.length).toBeGreaterThanOrEqual(1);
        expect(recorded.length).toBeLessThanOrEqual(1 + DEFAULT_WAIT_REASON_POLICY.maxRefreshes);
      }),
      { numRuns: 300 },
    );
  });

  it('property: over any passes, the events are bounded by the changes of cause, and every change is recorded', () => {
    const stretch = fc.integer({ min: 0, max: CODES_BY_CAUSE.length - 1 }).chain((c) => oneCause(c).map((ps) => ({ c, ps })));
    fc.assert(
      fc.property(fc.array(stretch, { minLength: 1, maxLength: 12 }), (stretches) => {
        const passes = timed(stretches.flatMap((s) => s.ps));
        const recorded = record(passes);
        // Runs of one cause in the input (two adjacent stretches of the same cause are one run).
        const runs = stretches.filter((s, i) => i === 0 || stretches[i - 1].c !== s.c).length;
        expect(recorded.length).toBeLessThanOrEqual(runs * (1 + DEFAULT_WAIT_REASON_POLICY.maxRefreshes));
        expect(recorded.filter((r, i) => i === 0 || waitCause(r) !== waitCause(recorded[i - 1])).length).toBe(runs);
      }),
      { numRuns: 200 },
    );
  });
});
