import { ErrorCode, event, type NodeEvent, type TaskAssignment } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { DeciderSpec, T0, T1 } from '@trainyard/testing/domain';
import { availabilityOf, isSchedulableNode, type RegisteredNode } from './node';
import { nodeDecider, type NodeCommand } from './node.decide';

const spec = DeciderSpec.for(nodeDecider);
const cmd = <C extends NodeCommand>(type: C['type'], data: C['data'], now = T1): C => ({ type, data, metadata: { now } }) as C;
const registered: NodeEvent[] = [
  event('NodeRegistered', T0, { nodeId: 'n1', host: '10.0.0.1', pool: 'default', capacity: { cpu: 4, memoryMiB: 4096, gpu: 1, npu: 0 }, labels: {} }),
];
const assignment: TaskAssignment = {
  jobId: 'j1', jobName: 'hello', task: 'worker-0', index: 0, attempt: 1, scheduleCount: 1, procStartCount: 1,
  algorithm: { command: 'true' }, flavor: { cpu: 1, memoryMiB: 128 }, runtime: 'process', hosts: ['10.0.0.1'],
};
const isolated = (reason: 'node-lost' | 'hardware-fault' | 'operator') => [...registered, event('NodeIsolated', T0, { reason, by: 'fault-manager' })];

describe('node - isolation lifecycle', () => {
  it('suspect → isolated (lost) → back in service by itself when heard again', () => {
    const suspect = spec.given(registered).when(cmd('MarkNodeSuspect', { lastHeartbeat: T0, by: 'fault-manager' })).then([
      event('NodeSuspect', T1, { lastHeartbeat: T0, by: 'fault-manager' }),
    ]) as RegisteredNode;
    expect(isSchedulableNode(suspect)).toBe(false);
    const lost = [...registered, event('NodeSuspect', T1, { lastHeartbeat: T0, by: 'fault-manager' })];
    const iso = spec.given(lost).when(cmd('IsolateNode', { reason: 'node-lost', by: 'fault-manager' })).then([event('NodeIsolated', T1, { reason: 'node-lost', by: 'fault-manager' })]) as RegisteredNode;
    expect(iso).toMatchObject({ availability: 'isolated', isolation: { reason: 'node-lost', since: T1 } });
    expect(iso.suspect).toBeUndefined();
    const back = spec.given(isolated('node-lost')).when(cmd('ReturnNode', { by: 'fault-manager', reason: 'heartbeats resumed', auto: true })).then([
      event('NodeReturned', T1, { by: 'fault-manager', reason: 'heartbeats resumed' }),
    ]);
    expect(isSchedulableNode(back)).toBe(true);
  });

  it('a node isolated for a fault of its own waits for an operator; a re-registration keeps it isolated', () => {
    spec.given(isolated('hardware-fault')).when(cmd('ReturnNode', { by: 'fault-manager', reason: 'heartbeats resumed', auto: true })).thenNothing();
    spec.given(isolated('hardware-fault')).when(cmd('ReturnNode', { by: 'user:ops', reason: 'uncordon' })).then([event('NodeReturned', T1, { by: 'user:ops', reason: 'uncordon' })]);
    const again = [...isolated('hardware-fault'), event('NodeRegistered', T1, { nodeId: 'n1', host: '10.0.0.2', pool: 'default', capacity: { cpu: 4, memoryMiB: 4096, gpu: 1, npu: 0 }, labels: {} })];
    const s = again.reduce(nodeDecider.evolve, nodeDecider.initialState());
    expect(availabilityOf(s)).toBe('isolated');
  });

  it('isolation is idempotent, but a node fault replaces a loss', () => {
    spec.given(isolated('node-lost')).when(cmd('IsolateNode', { reason: 'node-lost', by: 'fault-manager' })).thenNothing();
    spec.given(isolated('operator')).when(cmd('IsolateNode', { reason: 'hardware-fault', by: 'fault-manager' })).thenNothing();
    spec.given(isolated('node-lost')).when(cmd('IsolateNode', { reason: 'hardware-fault', by: 'fault-manager', detail: 'gpu-check' })).then([
      event('NodeIsolated', T1, { reason: 'hardware-fault', by: 'fault-manager', detail: 'gpu-check' }),
    ]);
    spec.given(registered).when(cmd('IsolateNode', { reason: 'bogus' as 'operator', by: 'x' })).then(ErrorCode.ValidationFailed);
    spec.given([]).when(cmd('IsolateNode', { reason: 'operator', by: 'x' })).then(ErrorCode.NotFound);
  });

  it('drain takes the node out of service; uncordon returns it', () => {
    const s = spec.given(registered).when(cmd('DrainNode', { by: 'user:ops', graceMs: 5000 })).then([event('NodeDraining', T1, { by: 'user:ops', graceMs: 5000 })]) as RegisteredNode;
    expect(s).toMatchObject({ availability: 'draining', isolation: { reason: 'operator', drainGraceMs: 5000 } });
    spec.given([...registered, event('NodeDraining', T1, { by: 'user:ops', graceMs: 5000 })]).when(cmd('DrainNode', { by: 'user:ops', graceMs: 5000 })).thenNothing();
    spec.given(registered).when(cmd('ReturnNode', { by: 'user:ops', reason: 'uncordon' })).thenNothing();
  });
});

describe('node - RequestTaskRestart', () => {
  const withTask = [...registered, event('TaskAssigned', T0, assignment)];
  const restart = (procStartCount: number, attempt = 1) =>
    cmd('RequestTaskRestart', { jobId: 'j1', task: 'worker-0', attempt, procStartCount, graceMs: 1000, reason: 'in-place-restart' });

  it('asks the agent to restart an assigned attempt once per start count', () => {
    const s = spec.given(withTask).when(restart(2)).then([
      event('TaskRestartRequested', T1, { jobId: 'j1', task: 'worker-0', attempt: 1, procStartCount: 2, graceMs: 1000, reason: 'in-place-restart' }),
    ]) as RegisteredNode;
    expect(s.assignments['j1/worker-0'].restartedTo).toBe(2);
    spec.given([...withTask, event('TaskRestartRequested', T1, { jobId: 'j1', task: 'worker-0', attempt: 1, procStartCount: 2, graceMs: 1000, reason: 'x' })]).when(restart(2)).thenNothing();
    spec.given(withTask).when(restart(1)).thenNothing();
  });

  it('an unknown attempt is refused; a stop-requested one is left alone', () => {
    spec.given(withTask).when(restart(2, 2)).then({ code: ErrorCode.NotFound });
    const stopping = [...withTask, event('TaskStopRequested', T1, { jobId: 'j1', task: 'worker-0', attempt: 1, graceMs: 1000, reason: 'x' })];
    spec.given(stopping).when(restart(2)).thenNothing();
  });
});
