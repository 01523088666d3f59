import type { Fault } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { decideRecovery, type RecoveryInput } from './decide-recovery';
import type { RecoveryPolicy } from './recovery-policy';
import type { RecoveryRecord } from './recovery-record';
import { RecoveryRule } from './recovery-rule';

const NOW = '2026-03-13T12:00:00.000Z';
const policy = (over: Partial<RecoveryPolicy> = {}): RecoveryPolicy => ({
  autoRestart: true, maxRestarts: 3, unconditional: false, hangRetry: false, accelerated: true, ...over,
});
const tasks = [
  { name: 'worker-0', status: 'failed', nodeId: 'n0' },
  { name: 'worker-1', status: 'running', nodeId: 'n1' },
];
const fault = (kind: Fault['kind'], over: Partial<Fault> = {}): Fault => ({
  kind, task: 'worker-0', nodeId: 'n0', hardware: ['hardware', 'node-lost', 'node-drained', 'preflight-hardware'].includes(kind), ...over,
});
const decide = (f: Fault, over: Partial<RecoveryInput> = {}) => decideRecovery({ policy: policy(), fault: f, history: [], tasks, now: NOW, ...over });
const rec = (rule: string, action: RecoveryRecord['action'], f: Fault, at = NOW): RecoveryRecord => ({
  at, attempt: 1, rule: rule as RecoveryRecord['rule'], action, fault: f, consumesBudget: action === 'reschedule-job', consumesPodBudget: action === 'reschedule-pod',
});

describe('recovery policy - the guide\'s scenario table (ch12 §2.2, L7536-7555)', () => {
  it('a user error fails the job at once, whatever the annotations, uses no budget and isolates nothing', () => {
    const f = fault('user-error', { code: 'exit 127', detail: 'command not found' });
    for (const p of [policy(), policy({ unconditional: true, maxPodRestarts: 2 }), policy({ autoRestart: false })]) {
      expect(decide(f, { policy: p })).toMatchObject({ action: 'fail', rule: RecoveryRule.UserError, isolate: [], restarts: { current: 0 } });
    }
  });

  it('1: preflight failed on faulty hardware → isolate every faulty node and re-dispatch', () => {
    const d = decide(fault('preflight-hardware', { code: 'gpu-check' }), { faultyNodes: ['n1'] });
    expect(d).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.PreflightIsolate, isolate: ['n0', 'n1'], restarts: { current: 1, max: 3 } });
  });

  it('2: preflight failed on healthy hardware → re-dispatch without isolating', () => {
    const d = decide(fault('preflight-environment', { code: 'disk-size shm' }));
    expect(d).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.PreflightReassign, isolate: [] });
  });

  it('3: preflight passed, the workload ran into a hardware fault → isolate and re-dispatch', () => {
    const d = decide(fault('hardware', { code: 'log' }));
    expect(d).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.IsolatingReschedule, isolate: ['n0'] });
    expect(d.tasks).toEqual(['worker-0', 'worker-1']);
  });

  it('4: preflight passed, healthy hardware, abnormal exit → failed (without unconditional retry)', () => {
    expect(decide(fault('non-zero-exit', { code: 'exit 1' }))).toMatchObject({ action: 'fail', rule: RecoveryRule.WorkloadFailed, isolate: [] });
  });
});

describe('recovery policy - strategies and escalation (ch12 §4)', () => {
  it('a killed process restarts in place without using the budget', () => {
    const d = decide(fault('process-killed', { code: 'SIGKILL' }));
    expect(d).toMatchObject({ action: 'restart-in-place', rule: RecoveryRule.InPlaceRestart, restarts: { current: 0, max: 3 }, consecutive: 1 });
    expect(d.tasks).toEqual(['worker-0', 'worker-1']);
  });

  it('the same fault on the same node the third time in a row within 24 h isolates the node and reschedules the job', () => {
    const f = fault('process-killed', { code: 'SIGKILL' });
    const two = [rec(RecoveryRule.InPlaceRestart, 'restart-in-place', f, '2026-03-13T10:00:00.000Z'), rec(RecoveryRule.InPlaceRestart, 'restart-in-place', f, '2026-03-13T11:00:00.000Z')];
    expect(decide(f, { history: two })).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.InPlaceRepeated, isolate: ['n0'], consecutive: 3, restarts: { current: 1 } });
    // An older occurrence (> 24 h) does not count; another node's fault does not either.
    const stale = [rec(RecoveryRule.InPlaceRestart, 'restart-in-place', f, '2026-03-12T10:00:00.000Z'), two[1]];
    expect(decide(f, { history: stale }).action).toBe('restart-in-place');
    expect(decide(fault('process-killed', { code: 'SIGKILL', nodeId: 'n1', task: 'worker-1' }), { history: two }).action).toBe('restart-in-place');
  });

  it('a user-induced device fault repeated three times reschedules without isolating (L8189-8191)', () => {
    const f = fault('user-induced', { code: '80C98002' });
    const two = [rec(RecoveryRule.InPlaceRestart, 'restart-in-place', f), rec(RecoveryRule.InPlaceRestart, 'restart-in-place', f)];
    expect(decide(f, { history: two })).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.UserInducedRepeated, isolate: [] });
  });

  it('a lost node with pod-retry-num moves only its task; without a healthy node it falls back to a job reschedule', () => {
    const p = policy({ maxPodRestarts: 1 });
    expect(decide(fault('node-lost'), { policy: p })).toMatchObject({ action: 'reschedule-pod', rule: RecoveryRule.PodReschedule, tasks: ['worker-0'], isolate: ['n0'], podRestarts: { current: 1, max: 1 }, restarts: { current: 0 } });
    expect(decide(fault('node-lost'), { policy: p, podPlacementAvailable: false })).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.PodRescheduleFailed });
    const used = [rec(RecoveryRule.PodReschedule, 'reschedule-pod', fault('node-lost'))];
    expect(decide(fault('node-lost'), { policy: p, history: used })).toMatchObject({ action: 'reschedule-job', rule: RecoveryRule.IsolatingReschedule, podRestarts: { current: 1, max: 1 } });
  });

  it('a non-zero exit with unconditional retry reschedules three times in a row; the fourth identical failure fails', () => {
    const p = policy({ unconditional: true, maxRestarts: 8 });
    const f = fault('non-zero-exit', { code: 'exit 1' });
    const history: RecoveryRecord[] = [];
    const actions: string[] = [];
    for (let i = 0; i < 4; i++) {
      const d = decide(f, { policy: p, history });
      actions.push(`${d.action}:${d.consecutive}`);
      history.push(rec(d.rule, d.action, f));
    }
    expect(actions).toEqual(['reschedule-job:1', 'reschedule-job:2', 'reschedule-job:3', 'fail:4']);
    expect(decide(f, { policy: p, history: history.slice(0, 3) }).rule).toBe(RecoveryRule.UnconditionalLimit);
    // A hardware fault in between ends the streak (L8240-8242: "中间未发生显式的节点故障").
    const broken = [history[0], history[1], rec(RecoveryRule.IsolatingReschedule, 'reschedule-job', fault('hardware')), history[2]];
    expect(decide(f, { policy: p, history: broken })).toMatchObject({ action: 'reschedule-job', consecutive: 2 });
  });

  it('an eviction never reschedules: the job fails (L8225-8228)', () => {
    expect(decide(fault('evicted'), { policy: policy({ unconditional: true }) })).toMatchObject({ action: 'fail', rule: RecoveryRule.EvictedFails });
  });

  it('a hang restarts in place with hang retry (no budget), three times in a row; the fourth hang fails', () => {
    const p = policy({ hangRetry: true });
    const h = fault('hang', { task: undefined, nodeId: undefined, hardware: false });
    const three = [1, 2, 3].map(() => rec(RecoveryRule.HangRestart, 'hang-restart', h));
    expect(decide(h, { policy: p })).toMatchObject({ action: 'hang-restart', rule: RecoveryRule.HangRestart, restarts: { current: 0 }, consecutive: 1 });
    expect(decide(h, { policy: p, history: three })).toMatchObject({ action: 'fail', rule: RecoveryRule.HangLimit, consecutive: 4 });
    expect(decide(h)).toMatchObject({ action: 'none', rule: RecoveryRule.HangRetryOff });
  });

  it('once every restart is used a fault that needs a re-dispatch fails the job', () => {
    const used = [1, 2, 3].map(() => rec(RecoveryRule.IsolatingReschedule, 'reschedule-job', fault('hardware')));
    expect(decide(fault('hardware'), { history: used })).toMatchObject({ action: 'fail', rule: RecoveryRule.RestartLimit, restarts: { current: 3, max: 3 }, isolate: ['n0'] });
    // …while an in-place restart still happens (it uses no budget).
    expect(decide(fault('process-killed', { code: 'SIGKILL' }), { history: used }).action).toBe('restart-in-place');
  });

  it('without auto restart every fault fails the job', () => {
    expect(decide(fault('process-killed'), { policy: policy({ autoRestart: false, maxRestarts: 0 }) })).toMatchObject({ action: 'fail', rule: RecoveryRule.AutoRestartOff });
  });
});
