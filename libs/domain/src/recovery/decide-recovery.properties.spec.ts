import type { Fault, FaultKind } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRecovery, type RecoveryDecision } from './decide-recovery';
import type { RecoveryPolicy } from './recovery-policy';
import { consumesBudget, type RecoveryRecord } from './recovery-record';
import { RecoveryLimits, RecoveryRule } from './recovery-rule';

const KINDS: FaultKind[] = [
  'process-killed', 'self-healable', 'user-induced', 'non-zero-exit', 'hardware', 'node-lost', 'node-drained',
  'evicted', 'preflight-hardware', 'preflight-environment', 'hang',
];
const HARDWARE = new Set<FaultKind>(['hardware', 'node-lost', 'node-drained', 'preflight-hardware']);

const arbPolicy: fc.Arbitrary<RecoveryPolicy> = fc.record({
  autoRestart: fc.boolean(),
  maxRestarts: fc.integer({ min: 1, max: 8 }),
  unconditional: fc.boolean(),
  hangRetry: fc.boolean(),
  maxPodRestarts: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
  accelerated: fc.constant(true),
}).map((p) => (p.autoRestart ? p : { ...p, maxRestarts: 0, unconditional: false, hangRetry: false, maxPodRestarts: undefined }));

const arbFault: fc.Arbitrary<Fault> = fc.record({
  kind: fc.constantFrom(...KINDS),
  task: fc.constantFrom('worker-0', 'worker-1'),
  nodeId: fc.constantFrom('n0', 'n1', 'n2'),
  code: fc.constantFrom('SIGKILL', 'exit 1', 'exit 2', '80C98002'),
}).map((f) => ({ ...f, hardware: HARDWARE.has(f.kind) }));

/** A run: faults one after another, minutes apart, each decided on the history so far, until the job fails. */
const arbRun = fc.record({
  policy: arbPolicy,
  faults: fc.array(fc.record({ fault: arbFault, gapMin: fc.integer({ min: 1, max: 600 }), podRoom: fc.boolean() }), { minLength: 1, maxLength: 40 }),
});

function play(policy: RecoveryPolicy, faults: { fault: Fault; gapMin: number; podRoom: boolean }[]) {
  const history: RecoveryRecord[] = [];
  const steps: { fault: Fault; d: RecoveryDecision; before: RecoveryRecord[] }[] = [];
  let t = Date.parse('2026-03-13T00:00:00.000Z');
  for (const { fault, gapMin, podRoom } of faults) {
    t += gapMin * 60_000;
    const now = new Date(t).toISOString();
    const before = [...history];
    const d = decideRecovery({
      policy, fault, history, now, podPlacementAvailable: podRoom,
      tasks: [{ name: 'worker-0', status: 'failed', nodeId: 'n0' }, { name: 'worker-1', status: 'running', nodeId: 'n1' }],
    });
    steps.push({ fault, d, before });
    if (d.action === 'fail') break;
    history.push({ at: now, attempt: 1, rule: d.rule, action: d.action, fault, consumesBudget: consumesBudget(d.action), consumesPodBudget: d.action === 'reschedule-pod' });
  }
  return { steps, history };
}

/** The longest run of consecutive records matching `same` (each compared with the previous one). */
function longestRun(rs: RecoveryRecord[], match: (r: RecoveryRecord) => boolean, same: (a: RecoveryRecord, b: RecoveryRecord) => boolean = () => true): number {
  let best = 0;
  let run = 0;
  rs.forEach((r, i) => {
    run = match(r) && (run === 0 || same(rs[i - 1], r)) ? run + 1 : match(r) ? 1 : 0;
    best = Math.max(best, run);
  });
  return best;
}

describe('recovery policy - properties', () => {
  it('the re-dispatch budget is never exceeded, and restarts count exactly the job reschedules', () => {
    fc.assert(
      fc.property(arbRun, ({ policy, faults }) => {
        const { steps, history } = play(policy, faults);
        for (const { d } of steps) expect(d.restarts.current).toBeLessThanOrEqual(d.restarts.max);
        expect(history.filter((r) => r.action === 'reschedule-job').length).toBeLessThanOrEqual(policy.maxRestarts);
        const last = steps.at(-1)!.d;
        if (last.action !== 'fail') expect(last.restarts.current).toBe(history.filter((r) => r.consumesBudget).length);
      }),
    );
  });

  it('in-place and hang restarts (and pod reschedules) do not consume the budget', () => {
    fc.assert(
      fc.property(arbRun, ({ policy, faults }) => {
        for (const { d, before } of play(policy, faults).steps) {
          const used = before.filter((r) => r.consumesBudget).length;
          if (d.action === 'restart-in-place' || d.action === 'hang-restart' || d.action === 'reschedule-pod' || d.action === 'none') expect(d.restarts.current).toBe(used);
          if (d.action === 'reschedule-job') expect(d.restarts.current).toBe(used + 1);
        }
      }),
    );
  });

  it('pod reschedules stay within pod-retry-num', () => {
    fc.assert(
      fc.property(arbRun, ({ policy, faults }) => {
        const { history } = play(policy, faults);
        expect(history.filter((r) => r.action === 'reschedule-pod').length).toBeLessThanOrEqual(policy.maxPodRestarts ?? 0);
      }),
    );
  });

  it('consecutive caps hold: ≤ 3 identical unconditional reschedules and ≤ 3 hang restarts in a row; the same in-place fault < 3 in a row within 24 h', () => {
    fc.assert(
      fc.property(arbRun, ({ policy, faults }) => {
        const { history } = play(policy, faults);
        const sig = (a: RecoveryRecord, b: RecoveryRecord) => a.fault.kind === b.fault.kind && a.fault.code === b.fault.code;
        expect(longestRun(history, (r) => r.rule === RecoveryRule.UnconditionalReschedule, sig)).toBeLessThanOrEqual(RecoveryLimits.consecutiveUnconditional);
        expect(longestRun(history, (r) => r.rule === RecoveryRule.HangRestart)).toBeLessThanOrEqual(RecoveryLimits.consecutiveHangRestarts);
        const sameInPlace = (a: RecoveryRecord, b: RecoveryRecord) =>
          sig(a, b) && a.fault.nodeId === b.fault.nodeId && Date.parse(b.at) - Date.parse(a.at) <= RecoveryLimits.sameFaultWindowMs;
        expect(longestRun(history, (r) => r.action === 'restart-in-place', sameInPlace)).toBeLessThan(RecoveryLimits.sameFaultInPlace);
      }),
    );
  });

  it('an eviction never reschedules (unconditionally or otherwise)', () => {
    fc.assert(
      fc.property(arbRun, ({ policy, faults }) => {
        for (const { fault, d } of play(policy, faults).steps) {
          if (fault.kind === 'evicted') {
            expect(d.action).toBe('fail');
            expect(d.rule).not.toBe(RecoveryRule.UnconditionalReschedule);
          }
        }
      }),
    );
  });

  it('without auto restart nothing is ever restarted; isolation only ever names nodes of hardware faults or escalations', () => {
    fc.assert(
      fc.property(arbRun, ({ policy, faults }) => {
        for (const { fault, d } of play(policy, faults).steps) {
          if (!policy.autoRestart) expect(['fail', 'none']).toContain(d.action);
          if (d.isolate.length && !HARDWARE.has(fault.kind)) expect([RecoveryRule.InPlaceRepeated, RecoveryRule.RestartLimit]).toContain(d.rule);
          if (fault.kind === 'user-induced' || fault.kind === 'preflight-environment' || fault.kind === 'non-zero-exit') expect(d.isolate).toEqual([]);
        }
      }),
    );
  });
});
