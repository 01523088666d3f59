import { ErrorCode, event, type Fault, type JobEvent, type JobEventData, type TrainingJobSpec } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { decideRecovery, type RecoveryDecision } from '../recovery/decide-recovery';
import { policyOf } from '../recovery/recovery-policy';
import { DeciderSpec, T0, T1, aSpec, cmd, runningHistory, scheduledHistory } from '@trainyard/testing/domain';
import { findTask, tasksToStop, type ExistingTrainingJob } from './training-job';
import { trainingJobDecider, type ReportTaskExited, type ReportTaskStarted } from './training-job.decide';
import type { ApplyRecovery, PlaceTasks, RecordFailureAnalysis } from './training-job.recovery';

const spec = DeciderSpec.for(trainingJobDecider);
const T2 = '2026-03-13T10:02:00.000Z';
const withRetry = (annotations: Record<string, string>, base = aSpec()): TrainingJobSpec => ({ ...base, metadata: { ...base.metadata, annotations } });
const retry3 = withRetry({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/job-unconditional-retry': 'true' });

const exited = (over: Partial<ReportTaskExited['data']> = {}) =>
  cmd<ReportTaskExited>('ReportTaskExited', { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: null, signal: 'SIGKILL', reason: 'exited', ...over });
const exitedEvent = (over: Partial<JobEventData['TaskExited']> = {}) =>
  event('TaskExited', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: null, signal: 'SIGKILL', reason: 'exited' as const, ...over });
const killed: Fault = { kind: 'process-killed', task: 'worker-0', nodeId: 'node-0', code: 'SIGKILL', hardware: false };
const decisionFor = (s: TrainingJobSpec, fault: Fault): RecoveryDecision =>
  decideRecovery({ policy: policyOf(s), fault, history: [], tasks: [{ name: 'worker-0', status: 'failed' }, { name: 'worker-1', status: 'running' }], now: T2 });
const apply = (decision: RecoveryDecision, extra: Partial<ApplyRecovery['data']> = {}) => cmd<ApplyRecovery>('ApplyRecovery', { attempt: 1, decision, ...extra }, T2);
const failedHistory = (s = retry3) => [...runningHistory(s), exitedEvent()];

describe('training job - a failure with auto restart on waits for the fault manager', () => {
  it('records the exit and keeps the job running (no JobFailed)', () => {
    const s = spec.given(runningHistory(retry3)).when(exited()).then([exitedEvent()]) as ExistingTrainingJob;
    expect(s.status).toBe('running');
    expect(tasksToStop(s)).toEqual([]);
  });

  it('without job-retry-num the first failure still fails the job', () => {
    spec.given(runningHistory()).when(exited()).then([exitedEvent(), event('JobFailed', T1, { attempt: 1, reason: 'killed-by-signal', task: 'worker-0', exitCode: null })]);
  });
});

describe('training job - a user error fails the job at once, with its field (issue 9)', () => {
  const codeDir = { field: 'algorithm.codeDir', code: 'not-found' as const, message: 'code dir ../../etc/passwd is not a directory on this node', elapsedSeconds: 0.1 };
  it('a code dir missing before launch: W05, the exit and J08 naming the field, even with auto restart on', () => {
    for (const s of [aSpec(), retry3]) {
      const report = exited({ reason: 'user-error', signal: null, userError: codeDir });
      spec.given(scheduledHistory(s)).when(report).then([
        event('TaskCodeDownloadFailed', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', elapsedSeconds: 0.1, field: 'algorithm.codeDir', reason: codeDir.message }),
        exitedEvent({ reason: 'user-error', signal: null, userError: codeDir }),
        event('JobFailed', T1, { attempt: 1, reason: 'user-error', task: 'worker-0', exitCode: null, field: 'algorithm.codeDir', message: `worker-0: algorithm.codeDir: ${codeDir.message}` }),
      ]);
    }
  });

  it('a command not found after launch: no W05 (the code is there), J08 names the command', () => {
    const u = { field: 'algorithm.command', code: 'command-not-found' as const, message: 'sh: 1: trian.sh: not found' };
    spec.given(runningHistory(retry3)).when(exited({ exitCode: 127, signal: null, userError: u })).then([
      exitedEvent({ exitCode: 127, signal: null, userError: u }),
      event('JobFailed', T1, { attempt: 1, reason: 'user-error', task: 'worker-0', exitCode: 127, field: 'algorithm.command', message: `worker-0: algorithm.command: ${u.message}` }),
    ]);
  });

  it('a user-error exit without its fault, or with an unknown code, is refused', () => {
    spec.given(scheduledHistory()).when(exited({ reason: 'user-error' })).then(ErrorCode.ValidationFailed);
    spec.given(scheduledHistory()).when(exited({ reason: 'user-error', userError: { ...codeDir, code: 'nope' as never } })).then(ErrorCode.ValidationFailed);
  });
});

describe('training job - ApplyRecovery', () => {
  it('in place: RecoveryDecided and J11; every unfinished task waits for MA_PROC_START_CNT=2 on its node', () => {
    const d = decisionFor(retry3, killed);
    const s = spec.given(failedHistory()).when(apply(d)).then([
      event('RecoveryDecided', T2, { attempt: 1, rule: 'in-place-restart', action: 'restart-in-place', fault: killed, restarts: { current: 0, max: 3 }, consecutive: 1, tasks: ['worker-0', 'worker-1'], isolate: [], message: d.message }),
      event('JobRestarted', T2, { attempt: 1, mode: 'in-place', tasks: ['worker-0', 'worker-1'], restarts: { current: 0, max: 3 } }),
    ]) as ExistingTrainingJob;
    expect(s.status).toBe('running');
    expect(findTask(s, 'worker-0')).toMatchObject({ status: 'assigned', nodeId: 'node-0', restartTo: 2, procStartCount: 1 });
    expect(s.recovery?.history.map((r) => r.rule)).toEqual(['in-place-restart']);
  });

  it('a task that never started waits for MA_PROC_START_CNT=2 too (its assignment already says 1)', () => {
    const h = [...scheduledHistory(retry3), event('TaskStarted', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', procStartCount: 1 }), event('JobStarted', T1, { attempt: 1 }), exitedEvent()];
    const r = spec.given(h).when(apply(decisionFor(retry3, killed))).decision();
    const s = [...h, ...(r.ok ? r.events : [])].reduce(trainingJobDecider.evolve, trainingJobDecider.initialState()) as ExistingTrainingJob;
    expect(findTask(s, 'worker-1')).toMatchObject({ status: 'assigned', procStartCount: 0, restartTo: 2 });
  });

  it('after an in-place restart the old process\'s exit is stale and the new start clears the restart', () => {
    const decided = spec.given(failedHistory()).when(apply(decisionFor(retry3, killed))).decision();
    const restarted: JobEvent[] = [...failedHistory(), ...(decided.ok ? decided.events : [])];
    const old = cmd<ReportTaskExited>('ReportTaskExited', { task: 'worker-1', attempt: 1, nodeId: 'node-1', exitCode: 1, reason: 'exited', procStartCount: 1 });
    spec.given(restarted).when(old).thenNothing();
    const start = cmd<ReportTaskStarted>('ReportTaskStarted', { task: 'worker-0', attempt: 1, nodeId: 'node-0', procStartCount: 2 });
    const s = spec.given(restarted).when(start).then([event('TaskStarted', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', procStartCount: 2 })]) as ExistingTrainingJob;
    expect(findTask(s, 'worker-0')).toMatchObject({ status: 'running', procStartCount: 2 });
    expect(findTask(s, 'worker-0')?.restartTo).toBeUndefined();
  });

  it('a job reschedule stops every task, then queues the job again at first priority (fault-recovery)', () => {
    const d = decisionFor(retry3, { kind: 'non-zero-exit', task: 'worker-0', nodeId: 'node-0', code: 'exit 1', hardware: false });
    const history = [...runningHistory(retry3), exitedEvent({ exitCode: 1, signal: null })];
    const s = spec.given(history).when(apply(d)).decision();
    expect(s.ok && s.events.map((e) => e.type)).toEqual(['RecoveryDecided', 'JobRestarted']);
    const after = [...history, ...(s.ok ? s.events : [])];
    const stopping = spec.given(after).when(cmd<ReportTaskExited>('ReportTaskExited', { task: 'worker-1', attempt: 1, nodeId: 'node-1', exitCode: null, signal: 'SIGTERM', reason: 'stopped' })).decision();
    expect(stopping.ok && stopping.events.map((e) => e.type)).toEqual(['TaskExited', 'JobQueued']);
    expect(stopping.ok && stopping.events[1].data).toEqual({ priority: 1, requeue: 'fault-recovery' });
  });

  it('a job reschedule with nothing left running queues at once; a stop meanwhile wins', () => {
    const lost: Fault = { kind: 'node-lost', task: 'worker-0', nodeId: 'node-0', code: 'lost', hardware: true };
    const single = withRetry({ 'fault-tolerance/job-retry-num': '2' }, aSpec({ nodeCount: 1 }));
    const d = decideRecovery({ policy: policyOf(single), fault: lost, history: [], tasks: [{ name: 'worker-0', status: 'lost' }], now: T2 });
    const h = [...runningHistory(single), exitedEvent({ reason: 'lost', signal: null })];
    const r = spec.given(h).when(apply(d)).decision();
    expect(r.ok && r.events.map((e) => e.type)).toEqual(['RecoveryDecided', 'JobRestarted', 'JobQueued']);
    expect(r.ok && r.events[0].data).toMatchObject({ rule: 'isolating-reschedule', isolate: ['node-0'], restarts: { current: 1, max: 2 } });
  });

  it('a pod reschedule without placements leaves the task waiting for the scheduler; PlaceTasks gives it a node', () => {
    const pod = withRetry({ 'fault-tolerance/job-retry-num': '2', 'fault-tolerance/pod-retry-num': '1' });
    const lost: Fault = { kind: 'node-lost', task: 'worker-0', nodeId: 'node-0', code: 'lost', hardware: true };
    const h = [...runningHistory(pod), exitedEvent({ reason: 'lost', signal: null })];
    const r = spec.given(h).when(apply(decisionFor(pod, lost))).decision();
    expect(r.ok && r.events.map((e) => e.type)).toEqual(['RecoveryDecided', 'JobRestarted']);
    const decided = [...h, ...(r.ok ? r.events : [])];
    const s = decided.reduce(trainingJobDecider.evolve, trainingJobDecider.initialState()) as ExistingTrainingJob;
    expect(findTask(s, 'worker-0')).toMatchObject({ status: 'pending', attempt: 1, scheduleCount: 1 });
    expect(findTask(s, 'worker-0')?.nodeId).toBeUndefined();
    expect(findTask(s, 'worker-1')).toMatchObject({ status: 'assigned', nodeId: 'node-1', restartTo: 2 });
    // Only a waiting task can be placed.
    const place = (task: string, index: number) => cmd<PlaceTasks>('PlaceTasks', { placements: [{ task, index, nodeId: 'node-9', host: '10.0.0.9' }] }, T2);
    spec.given(decided).when(place('worker-1', 1)).then({ code: ErrorCode.IllegalState });
    spec.given(decided).when(place('worker-0', 1)).then({ code: ErrorCode.ValidationFailed });
    const p = spec.given(decided).when(place('worker-0', 0)).decision();
    expect(p.ok && p.events).toEqual([event('JobScheduled', T2, { attempt: 1, placements: [{ task: 'worker-0', index: 0, nodeId: 'node-9', host: '10.0.0.9' }] })]);
    const placed = [...decided, ...(p.ok ? p.events : [])].reduce(trainingJobDecider.evolve, trainingJobDecider.initialState()) as ExistingTrainingJob;
    expect(placed).toMatchObject({ status: 'running', attempt: 1, dispatched: true });
    expect(findTask(placed, 'worker-0')).toMatchObject({ status: 'assigned', nodeId: 'node-9', host: '10.0.0.9', attempt: 1, scheduleCount: 2, procStartCount: 0 });
    expect(findTask(placed, 'worker-1')).toMatchObject({ status: 'assigned', nodeId: 'node-1', restartTo: 2 });
    spec.given([...decided, ...(p.ok ? p.events : [])]).when(place('worker-0', 0)).then({ code: ErrorCode.IllegalState });
  });

  it('a pod reschedule with placements (an older decision in the log) moves the task (MA_SCHEDULE_CNT + 1) and restarts the others in place', () => {
    const pod = withRetry({ 'fault-tolerance/job-retry-num': '2', 'fault-tolerance/pod-retry-num': '1' });
    const lost: Fault = { kind: 'node-lost', task: 'worker-0', nodeId: 'node-0', code: 'lost', hardware: true };
    const d = decisionFor(pod, lost);
    const h = [...runningHistory(pod), exitedEvent({ reason: 'lost', signal: null })];
    spec.given(h).when(apply(d, { placements: [] })).then({ code: ErrorCode.ValidationFailed });
    const placements = [{ task: 'worker-0', index: 0, nodeId: 'node-9', host: '10.0.0.9' }];
    const s = spec.given(h).when(apply(d, { placements })).decision();
    expect(s.ok && s.events.map((e) => e.type)).toEqual(['RecoveryDecided', 'JobRestarted']);
    const state = [...h, ...(s.ok ? s.events : [])].reduce(trainingJobDecider.evolve, trainingJobDecider.initialState()) as ExistingTrainingJob;
    expect(findTask(state, 'worker-0')).toMatchObject({ status: 'assigned', nodeId: 'node-9', host: '10.0.0.9', scheduleCount: 2, procStartCount: 0 });
    expect(findTask(state, 'worker-1')).toMatchObject({ status: 'assigned', nodeId: 'node-1', restartTo: 2 });
    // The lost node's late report of the moved task is fenced.
    spec.given([...h, ...(s.ok ? s.events : [])]).when(exited({ reason: 'lost', signal: null })).then({ code: ErrorCode.IllegalState });
  });

  it('fail: JobFailed names the rule', () => {
    const noUncond = withRetry({ 'fault-tolerance/job-retry-num': '3' });
    const f: Fault = { kind: 'non-zero-exit', task: 'worker-0', nodeId: 'node-0', code: 'exit 1', hardware: false };
    const r = spec.given([...runningHistory(noUncond), exitedEvent({ exitCode: 1, signal: null })]).when(apply(decisionFor(noUncond, f))).decision();
    expect(r.ok && r.events.map((e) => e.type)).toEqual(['RecoveryDecided', 'JobFailed']);
    expect(r.ok && r.events[1].data).toMatchObject({ reason: 'workload-failed', task: 'worker-0', exitCode: 1 });
  });

  it('a stale decision (other attempt, or the task no longer failed) changes nothing; an ended job refuses', () => {
    const d = decisionFor(retry3, killed);
    spec.given(failedHistory()).when(apply(d, { attempt: 2 })).thenNothing();
    spec.given(runningHistory(retry3)).when(apply(d)).thenNothing();
    spec.given([...failedHistory(), event('JobFailed', T1, { attempt: 1, reason: 'x' })]).when(apply(d)).then({ code: ErrorCode.IllegalState });
  });

  it('a suspected hang: J10 first, once per hang; hang retry restarts in place', () => {
    const hang = withRetry({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }, aSpec({ gpu: 1 }));
    const h: Fault = { kind: 'hang', hardware: false };
    const evidence = { rule: 'all-instances' as const, windowMs: 1000, tasks: [{ task: 'worker-0', maxCpuCores: 0 }] };
    const d = decideRecovery({ policy: policyOf(hang), fault: h, history: [], tasks: [{ name: 'worker-0', status: 'running' }, { name: 'worker-1', status: 'running' }], now: T2 });
    const r = spec.given(runningHistory(hang)).when(apply(d, { hang: evidence })).decision();
    expect(r.ok && r.events.map((e) => e.type)).toEqual(['JobSuspectedHang', 'RecoveryDecided', 'JobRestarted']);
    const off = decideRecovery({ policy: policyOf(aSpec({ gpu: 1 })), fault: h, history: [], tasks: [], now: T2 });
    const reported = spec.given(runningHistory(aSpec({ gpu: 1 }))).when(apply(off, { hang: evidence })).decision();
    expect(reported.ok && reported.events.map((e) => e.type)).toEqual(['JobSuspectedHang', 'RecoveryDecided']);
    spec.given([...runningHistory(aSpec({ gpu: 1 })), ...(reported.ok ? reported.events : [])]).when(apply(off, { hang: evidence })).thenNothing();
  });

  it('RecordFailureAnalysis records the analysis with the job', () => {
    const analysis = { rule: 'LF-CUDA-OOM', category: 'out-of-memory', cause: 'c', advice: 'a', adviceKind: 'reference_case' as const, evidence: [{ seq: 3, text: 'CUDA out of memory' }] };
    spec.given(failedHistory()).when(cmd<RecordFailureAnalysis>('RecordFailureAnalysis', { task: 'worker-0', attempt: 1, analysis })).then([
      event('FailureAnalysed', T1, { attempt: 1, task: 'worker-0', analysis }),
    ]);
    void T0;
  });
});
