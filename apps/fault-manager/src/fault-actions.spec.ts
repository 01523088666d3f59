import { event, Subjects, withDefaults, type DomainEvent, type NodeEvent, type TaskAssignment, type TrainingJobSpec } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { planFaultActions, type FaultAction, type FaultPlanInputs } from './fault-actions';
import { DEFAULT_FAULT_MANAGER_OPTIONS } from './fault-manager-options';
import { FaultState } from './fault-state';

const T0 = '2026-03-13T10:00:00.000Z';
const NOW = new Date('2026-03-13T10:00:05.000Z');

const spec = (annotations: Record<string, string> = { 'fault-tolerance/job-retry-num': '3' }, nodeCount = 2, gpu = 0): TrainingJobSpec =>
  withDefaults({
    kind: 'job',
    metadata: { name: 'j', annotations },
    algorithm: { command: 'train' },
    spec: { resource: { flavor: { cpu: 1, memoryMiB: 128, ...(gpu ? { gpu } : {}) }, nodeCount } },
  });

const assignment = (task: string, index: number): TaskAssignment => ({
  jobId: 'j1', jobName: 'j', task, index, attempt: 1, scheduleCount: 1, procStartCount: 1,
  algorithm: { command: 'train' }, flavor: { cpu: 1, memoryMiB: 128 }, runtime: 'process', hosts: ['10.0.0.1', '10.0.0.2'],
});

/** A cluster of two nodes running job j1 (worker-0 on n1, worker-1 on n2). */
function cluster(s: TrainingJobSpec = spec()) {
  const state = new FaultState(DEFAULT_FAULT_MANAGER_OPTIONS.crossJob);
  let seq = 0;
  const commit = (subject: string, events: DomainEvent[]) => state.apply({ subject, events, meta: { commandId: `c${seq}`, correlationId: 'x', actor: 't' }, seq: ++seq });
  for (const [n, host] of [['n1', '10.0.0.1'], ['n2', '10.0.0.2'], ['n3', '10.0.0.3']]) {
    commit(Subjects.node(n), [event('NodeRegistered', T0, { nodeId: n, host, pool: 'default', capacity: { cpu: 4, memoryMiB: 4096, gpu: 1, npu: 0 }, labels: {} })]);
  }
  const placements = [
    { task: 'worker-0', index: 0, nodeId: 'n1', host: '10.0.0.1' },
    { task: 'worker-1', index: 1, nodeId: 'n2', host: '10.0.0.2' },
  ];
  commit(Subjects.job('j1'), [
    event('JobCreated', T0, { jobId: 'j1', spec: s, tasks: ['worker-0', 'worker-1'], createdBy: 'u' }),
    event('JobQueued', T0, { priority: 1 }),
    event('JobScheduled', T0, { attempt: 1, placements }),
  ]);
  commit(Subjects.node('n1'), [event('TaskAssigned', T0, assignment('worker-0', 0))]);
  commit(Subjects.node('n2'), [event('TaskAssigned', T0, assignment('worker-1', 1))]);
  commit(Subjects.job('j1'), [
    event('TaskStarted', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', procStartCount: 1 }),
    event('JobStarted', T0, { attempt: 1 }),
    event('TaskStarted', T0, { task: 'worker-1', attempt: 1, nodeId: 'n2', procStartCount: 1 }),
  ]);
  const plan = (over: Partial<FaultPlanInputs> = {}): FaultAction[] =>
    planFaultActions({
      state, now: NOW, liveness: () => 'alive', analysis: () => ({ ready: true }), hang: () => undefined, options: DEFAULT_FAULT_MANAGER_OPTIONS, ...over,
    });
  return { state, commit, plan, job: (events: DomainEvent[]) => commit(Subjects.job('j1'), events), node: (id: string, events: NodeEvent[]) => commit(Subjects.node(id), events) };
}

const summary = (a: FaultAction) => `${a.kind}:${a.kind === 'job' ? a.jobId : a.nodeId}:${a.command.type}`;

describe('planFaultActions - what the fault manager commits', () => {
  it('a healthy cluster needs nothing', () => {
    expect(cluster().plan()).toEqual([]);
  });

  it('a killed worker: one in-place recovery decision, keyed by the job\'s version', () => {
    const c = cluster();
    c.job([event('TaskExited', T0, { task: 'worker-1', attempt: 1, nodeId: 'n2', exitCode: null, signal: 'SIGKILL', reason: 'exited' })]);
    const [a, ...rest] = c.plan();
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ kind: 'job', jobId: 'j1', commandId: `recover/j1/${c.state.jobs.get('j1')!.version}` });
    expect(a.command).toMatchObject({ type: 'ApplyRecovery', data: { attempt: 1, decision: { action: 'restart-in-place', rule: 'in-place-restart', tasks: ['worker-0', 'worker-1'] } } });
  });

  it('a non-zero exit waits for its log to be analysed; the analysis\'s hint decides the class', () => {
    const c = cluster();
    c.job([event('TaskExited', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 1, reason: 'exited' })]);
    const later = new Date(Date.parse(T0) + DEFAULT_FAULT_MANAGER_OPTIONS.rootCauseWaitMs);
    expect(c.plan({ analysis: () => ({ ready: false }), now: later })).toEqual([]);
    expect(c.plan({ now: later })[0].command).toMatchObject({ data: { decision: { action: 'fail', rule: 'workload-failed' } } });
    const hw = c.plan({ analysis: () => ({ ready: true, hint: 'hardware' }) });
    expect(hw.map(summary)).toEqual(['node:n1:IsolateNode', 'job:j1:ApplyRecovery']);
    expect(hw[1].command).toMatchObject({ data: { decision: { rule: 'isolating-reschedule', isolate: ['n1'] } } });
  });

  it('a plain non-zero exit waits for the running peers: a rank killed on the other node is the root cause (torchrun)', () => {
    const c = cluster();
    // worker-0's ranks failed in a collective because a rank of worker-1 was killed; worker-0's torchrun reported first.
    c.job([event('TaskExited', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 1, reason: 'exited', launcher: { launcher: 'torchrun', failures: [{ rank: 0, localRank: 0, exitCode: 1 }] } })]);
    expect(c.plan()).toEqual([]); // worker-1 still runs, within the wait
    c.job([event('TaskExited', T0, { task: 'worker-1', attempt: 1, nodeId: 'n2', exitCode: 1, reason: 'exited', launcher: { launcher: 'torchrun', failures: [{ rank: 2, localRank: 0, exitCode: 1 }, { rank: 3, localRank: 1, exitCode: null, signal: 'SIGKILL' }] } })]);
    const [a, ...rest] = c.plan();
    expect(rest).toEqual([]);
    expect(a!.command).toMatchObject({ data: { decision: { action: 'restart-in-place', fault: { kind: 'process-killed', task: 'worker-1', code: 'SIGKILL' }, tasks: ['worker-0', 'worker-1'] } } });
    // Had worker-1 kept running past the wait, the non-zero exit would have been decided alone.
    const d = cluster();
    d.job([event('TaskExited', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 1, reason: 'exited' })]);
    expect(d.plan({ now: new Date(Date.parse(T0) + DEFAULT_FAULT_MANAGER_OPTIONS.rootCauseWaitMs) })[0]!.command).toMatchObject({ data: { decision: { rule: 'workload-failed' } } });
  });

  it('after J11 in place: a restart request per task on its node, with the hosts; a hang restart asks for a stack dump', () => {
    const c = cluster(spec({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }, 2, 1));
    c.job([
      event('RecoveryDecided', T0, { attempt: 1, rule: 'hang-restart', action: 'hang-restart', fault: { kind: 'hang', hardware: false }, restarts: { current: 0, max: 3 }, tasks: ['worker-0', 'worker-1'], isolate: [], message: 'm' }),
      event('JobRestarted', T0, { attempt: 1, mode: 'hang', tasks: ['worker-0', 'worker-1'], restarts: { current: 0, max: 3 } }),
    ]);
    const actions = c.plan();
    expect(actions.map(summary)).toEqual(['node:n1:RequestTaskRestart', 'node:n2:RequestTaskRestart']);
    expect(actions[0]).toMatchObject({
      commandId: 'restart/j1/worker-0/1/2',
      command: { data: { procStartCount: 2, dumpSignal: 'SIGUSR1', hosts: ['10.0.0.1', '10.0.0.2'], reason: 'hang-restart: hang' } },
    });
    // Once the node has the request, nothing more.
    c.node('n1', [event('TaskRestartRequested', T0, { jobId: 'j1', task: 'worker-0', attempt: 1, procStartCount: 2, graceMs: 1, reason: 'r' })]);
    expect(c.plan().map(summary)).toEqual(['node:n2:RequestTaskRestart']);
  });

  it('node liveness: suspect, then lost (isolated, its tasks reported lost), and back when heard again', () => {
    const c = cluster();
    expect(c.plan({ liveness: (n) => (n === 'n2' ? 'suspect' : 'alive') }).map(summary)).toEqual(['node:n2:MarkNodeSuspect']);
    const lost = c.plan({ liveness: (n) => (n === 'n2' ? 'lost' : 'alive') });
    expect(lost.map(summary)).toEqual(['node:n2:IsolateNode', 'job:j1:ReportTaskExited']);
    expect(lost[1].command).toMatchObject({ data: { task: 'worker-1', nodeId: 'n2', reason: 'lost', attempt: 1 } });
    c.node('n2', [event('NodeIsolated', T0, { reason: 'node-lost', by: 'fault-manager' })]);
    expect(c.plan().map(summary)).toEqual(['node:n2:ReturnNode']);
    c.node('n2', [event('NodeReturned', T0, { by: 'fault-manager', reason: 'heartbeats resumed' })]);
    c.node('n2', [event('NodeIsolated', T0, { reason: 'hardware-fault', by: 'fault-manager' })]);
    expect(c.plan()).toEqual([]);
  });

  it('a lost task: the node is isolated before the job is rescheduled, and the node is told to stop the task when it returns', () => {
    const c = cluster();
    c.job([event('TaskExited', T0, { task: 'worker-1', attempt: 1, nodeId: 'n2', exitCode: null, signal: null, reason: 'lost' })]);
    const actions = c.plan({ liveness: (n) => (n === 'n2' ? 'lost' : 'alive') });
    expect(actions.map(summary)).toEqual(['node:n2:IsolateNode', 'node:n2:IsolateNode', 'job:j1:ApplyRecovery', 'node:n2:RequestTaskStop']);
    expect(actions[2].command).toMatchObject({ data: { decision: { rule: 'isolating-reschedule', isolate: ['n2'], fault: { kind: 'node-lost' } } } });
    expect(actions[3].command).toMatchObject({ data: { jobId: 'j1', task: 'worker-1', attempt: 1, reason: 'node n2 was lost; the task was recovered' } });
  });

  it('pod reschedule: decided when a healthy node has room; the scheduler places it (no placements here)', () => {
    const c = cluster(spec({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/pod-retry-num': '2' }));
    c.job([event('TaskExited', T0, { task: 'worker-1', attempt: 1, nodeId: 'n2', exitCode: null, signal: null, reason: 'lost' })]);
    const recover = c.plan({ liveness: (n) => (n === 'n2' ? 'lost' : 'alive') }).find((a) => a.command.type === 'ApplyRecovery')!;
    expect(recover.command).toMatchObject({ data: { decision: { action: 'reschedule-pod', tasks: ['worker-1'] } } });
    expect(recover.command.type === 'ApplyRecovery' && recover.command.data.placements).toBeUndefined();
    // No room anywhere else: the whole job is rescheduled instead.
    const full = c.plan({ liveness: (n) => (n === 'n2' ? 'lost' : n === 'n1' ? 'alive' : 'lost') });
    expect(full.find((a) => a.command.type === 'ApplyRecovery')!.command).toMatchObject({ data: { decision: { rule: 'pod-reschedule' } } });
    const none = c.plan({ liveness: (n) => (n === 'n2' || n === 'n1' || n === 'n3' ? 'lost' : 'alive') });
    expect(none.find((a) => a.command.type === 'ApplyRecovery')!.command).toMatchObject({ data: { decision: { rule: 'pod-reschedule-failed' } } });
  });

  it('a draining node: its running tasks are stopped with the drain\'s grace', () => {
    const c = cluster();
    c.node('n1', [event('NodeDraining', T0, { by: 'user:ops', graceMs: 5000 })]);
    const [stop] = c.plan();
    expect(stop).toMatchObject({ kind: 'node', nodeId: 'n1', command: { type: 'RequestTaskStop', data: { task: 'worker-0', graceMs: 5000, reason: 'node drained' } } });
  });

  it('without auto restart a failure is the decider\'s (the job already failed): nothing to decide', () => {
    const c = cluster(spec({}));
    c.job([event('TaskExited', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, signal: 'SIGKILL', reason: 'exited' }), event('JobFailed', T0, { attempt: 1, reason: 'killed-by-signal' })]);
    expect(c.plan()).toEqual([]);
  });

  it('a suspected hang of a GPU job: J10 with the evidence, once per hang', () => {
    const c = cluster(spec({ 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }, 2, 1));
    const evidence = { rule: 'all-instances' as const, windowMs: 1800, tasks: [] };
    const [a] = c.plan({ hang: () => evidence });
    expect(a).toMatchObject({ commandId: 'hang/j1/1/2', command: { type: 'ApplyRecovery', data: { hang: evidence, decision: { action: 'hang-restart' } } } });
    c.job([event('JobSuspectedHang', T0, { attempt: 1, evidence })]);
    expect(c.plan({ hang: () => evidence })).toEqual([]);
    // CPU jobs are never suspected (L7729).
    expect(cluster().plan({ hang: () => evidence })).toEqual([]);
  });
});
