import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeCommandError, fakeTaskPlan } from './fake-task';

describe('fakeTaskPlan', () => {
  it('reads run time and exit code', () => {
    expect(fakeTaskPlan('fake run=250 exit=3', 1)).toEqual({ runMs: 250, exitCode: 3 });
    expect(fakeTaskPlan('fake', 1)).toEqual({ runMs: 0, exitCode: 0 });
    expect(fakeTaskPlan('fake run=hold', 2)).toEqual({ runMs: 'hold', exitCode: 0 });
  });

  it('fails the first attempts and succeeds after', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 10 }), (failing, attempt) => {
        const plan = fakeTaskPlan(`fake run=10 fail-attempts=${failing}`, attempt);
        expect(plan.exitCode).toBe(attempt <= failing ? 1 : 0);
      }),
    );
  });

  it('refuses what it does not understand', () => {
    expect(() => fakeTaskPlan('sleep 1', 1)).toThrow(FakeCommandError);
    expect(() => fakeTaskPlan('fake run=-1', 1)).toThrow(/run=-1/);
    expect(() => fakeTaskPlan('fake exit=256', 1)).toThrow(FakeCommandError);
  });
});
