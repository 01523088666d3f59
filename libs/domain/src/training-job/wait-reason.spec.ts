import { describe, expect, it } from 'vitest';
import { waitReasonChanged } from './wait-reason';

describe('wait reason - what counts as a material change', () => {
  const base = { code: 'INSUFFICIENT_RESOURCES', position: 3, deficit: { gpu: 4, cpu: 10 }, unplacedInstances: 2 };

  it('a first reason, a new code, blocker or instance count is material', () => {
    expect(waitReasonChanged(undefined, base)).toBe(true);
    expect(waitReasonChanged(base, { ...base, code: 'BEHIND_IN_QUEUE' })).toBe(true);
    expect(waitReasonChanged(base, { ...base, blockedBy: 'j2' })).toBe(true);
    expect(waitReasonChanged(base, { ...base, unplacedInstances: 1 })).toBe(true);
    expect(waitReasonChanged({ code: 'PREEMPTION_PENDING', victims: ['a'] }, { code: 'PREEMPTION_PENDING', victims: ['a', 'b'] })).toBe(true);
    expect(waitReasonChanged({ code: 'NEVER_FITS', cause: 'X' }, { code: 'NEVER_FITS', cause: 'Y' })).toBe(true);
    expect(waitReasonChanged({ code: 'H', startsAt: null }, { code: 'H', startsAt: '2026-01-01T00:00:00Z' })).toBe(true);
  });

  it('a drifting expected start or reordered victims are not', () => {
    expect(waitReasonChanged({ code: 'H', startsAt: '2026-01-01T00:00:00Z' }, { code: 'H', startsAt: '2026-01-01T00:05:00Z' })).toBe(false);
    expect(waitReasonChanged({ code: 'P', victims: ['b', 'a'] }, { code: 'P', victims: ['a', 'b'] })).toBe(false);
  });

  it('the same reason, or small moves of position and shortfall, are not', () => {
    expect(waitReasonChanged(base, { ...base })).toBe(false);
    expect(waitReasonChanged(base, { ...base, position: 5 })).toBe(false);
    expect(waitReasonChanged(base, { ...base, deficit: { gpu: 4, cpu: 10.5 } })).toBe(false);
  });

  it('reaching the head, crossing a position band, or a shortfall resource that appears or moves > 10 % is', () => {
    expect(waitReasonChanged(base, { ...base, position: 1 })).toBe(true);
    expect(waitReasonChanged(base, { ...base, position: 6 })).toBe(true);
    expect(waitReasonChanged(base, { ...base, deficit: { gpu: 4 } })).toBe(true);
    expect(waitReasonChanged(base, { ...base, deficit: { gpu: 2, cpu: 10 } })).toBe(true);
  });
});
