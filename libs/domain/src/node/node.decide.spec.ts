import { ErrorCode, event, type NodeEvent, type TaskAssignment } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { DeciderSpec, T0, T1 } from '@trainyard/testing/domain';
import { assignedTasks, type RegisteredNode } from './node';
import { NodeRejection, nodeDecider, type AssignTask, type NodeCommand, type RegisterNode, type ReleaseTask, type RequestTaskStop } from './node.decide';

const spec = DeciderSpec.for(nodeDecider);
const cmd = <C extends NodeCommand>(type: C['type'], data: C['data'], now = T1): C => ({ type, data, metadata: { now } }) as C;

const registration: RegisterNode['data'] = {
  nodeId: 'gpu-01',
  host: '10.0.0.7',
  pool: 'default',
  capacity: { cpu: 32, memoryMiB: 65536, gpu: 8, npu: 0, acceleratorType: 'nvidia-a100' },
  labels: { rack: 'r1' },
};
const register = (data: Partial<RegisterNode['data']> = {}) => cmd<RegisterNode>('RegisterNode', { ...registration, ...data });
const registered = (at = T0): NodeEvent[] => [event('NodeRegistered', at, registration)];

const assignment = (over: Partial<TaskAssignment> = {}): TaskAssignment => ({
  jobId: 'j1',
  jobName: 'hello',
  task: 'worker-0',
  index: 0,
  attempt: 1,
  scheduleCount: 1,
  procStartCount: 1,
  algorithm: { command: 'python3 train.py' },
  flavor: { cpu: 4, memoryMiB: 8192, gpu: 1, acceleratorType: 'nvidia-a100' },
  runtime: 'process',
  hosts: ['10.0.0.7'],
  ...over,
});
const assign = (over: Partial<TaskAssignment> = {}) => cmd<AssignTask>('AssignTask', { assignment: assignment(over) });
const stopTask = (over: Partial<RequestTaskStop['data']> = {}) =>
  cmd<RequestTaskStop>('RequestTaskStop', { jobId: 'j1', task: 'worker-0', attempt: 1, graceMs: 10_000, reason: 'job stopped', ...over });

describe('node - RegisterNode', () => {
  it('registers a new node', () => {
    const s = spec.given([]).when(register()).then([event('NodeRegistered', T1, registration)]) as RegisteredNode;
    expect(s).toMatchObject({ status: 'registered', nodeId: 'gpu-01', registeredAt: T1, assignments: {} });
  });

  it('the same registration again is a no-op, so an agent may register on every start', () => {
    spec.given(registered()).when(register()).thenNothing();
    spec.given(registered()).when(register({ labels: { rack: 'r1' }, capacity: { ...registration.capacity } })).thenNothing();
  });

  it('changed capacity, labels or host is a new registration that keeps the assignments', () => {
    const capacity = { ...registration.capacity, gpu: 7 };
    const s = spec.given([...registered(), event('TaskAssigned', T0, assignment())]).when(register({ capacity }))
      .then([event('NodeRegistered', T1, { ...registration, capacity })]) as RegisteredNode;
    expect(s.capacity.gpu).toBe(7);
    expect(assignedTasks(s)).toHaveLength(1);
    spec.given(registered()).when(register({ labels: { rack: 'r2' } })).thenEvents();
    spec.given(registered()).when(register({ host: '10.0.0.8' })).thenEvents();
  });

  it('refuses an invalid registration or another node id on this aggregate', () => {
    spec.given([]).when(register({ nodeId: 'gpu.01' })).then({ code: ErrorCode.ValidationFailed, reason: NodeRejection.InvalidRegistration });
    spec.given([]).when(register({ capacity: { ...registration.capacity, cpu: -1 } })).then(ErrorCode.ValidationFailed);
    spec.given([]).when(register({ host: '' })).then(ErrorCode.ValidationFailed);
    spec.given(registered()).when(register({ nodeId: 'gpu-02' })).then({ code: ErrorCode.IllegalState, reason: NodeRejection.NodeIdMismatch });
  });
});

describe('node - RegisterNode with a card inventory (issue 14)', () => {
  const gpus = ['0', '1', '2', '3', '4', '5', '6', '7'];

  it('keeps the card ids, and the same ids again are a no-op while other ids are a new registration', () => {
    const s = spec.given([]).when(register({ devices: { gpu: gpus } })).then([event('NodeRegistered', T1, { ...registration, devices: { gpu: gpus } })]) as RegisteredNode;
    expect(s.devices).toEqual({ gpu: gpus });
    const withIds = [event('NodeRegistered', T0, { ...registration, devices: { gpu: gpus } })];
    spec.given(withIds).when(register({ devices: { gpu: [...gpus] } })).thenNothing();
    spec.given(withIds).when(register({ devices: { gpu: [...gpus.slice(1), '8'] } })).thenEvents();
    spec.given(withIds).when(register()).thenEvents();
  });

  it('refuses ids that disagree with the count, repeat a card or are not card ids, naming devices.<kind>', () => {
    const refused = (devices: RegisterNode['data']['devices']) =>
      spec.given([]).when(register({ devices })).then({ code: ErrorCode.ValidationFailed, reason: NodeRejection.InvalidRegistration });
    refused({ gpu: gpus.slice(0, 7) });
    refused({ gpu: ['0', '0', '1', '2', '3', '4', '5', '6'] });
    refused({ gpu: ['0', '1', '2', '3', '4', '5', '6', '7,8'] });
    refused({ npu: ['0'] });
    const d = nodeDecider.decide(register({ devices: { npu: ['0'] } }), nodeDecider.initialState());
    expect(d.ok ? [] : d.rejection.details?.map((e) => e.path)).toEqual(['devices.npu']);
  });
});

describe('node - AssignTask', () => {
  it('commits a task attempt to the node', () => {
    const s = spec.given(registered()).when(assign()).then([event('TaskAssigned', T1, assignment())]);
    expect(assignedTasks(s).map((a) => [a.jobId, a.task, a.attempt, a.status])).toEqual([['j1', 'worker-0', 1, 'assigned']]);
  });

  it('the same attempt again is a no-op; a newer attempt replaces it; an older one is refused', () => {
    const history = [...registered(), event('TaskAssigned', T0, assignment({ attempt: 2 }))];
    spec.given(history).when(assign({ attempt: 2 })).thenNothing();
    const s = spec.given(history).when(assign({ attempt: 3 })).then([event('TaskAssigned', T1, assignment({ attempt: 3 }))]);
    expect(assignedTasks(s).map((a) => a.attempt)).toEqual([3]);
    spec.given(history).when(assign({ attempt: 1 })).then({ code: ErrorCode.IllegalState, reason: NodeRejection.StaleAssignment });
  });

  it('refuses a flavor the whole node cannot hold, and an unregistered node', () => {
    spec.given(registered()).when(assign({ flavor: { cpu: 64, memoryMiB: 1 } })).then({ code: ErrorCode.IllegalState, reason: NodeRejection.DoesNotFit });
    spec.given(registered()).when(assign({ flavor: { cpu: 1, memoryMiB: 1, gpu: 9 } })).then(ErrorCode.IllegalState);
    spec.given(registered()).when(assign({ flavor: { cpu: 1, memoryMiB: 1, npu: 1 } })).then(ErrorCode.IllegalState);
    spec.given(registered()).when(assign({ flavor: { cpu: 1, memoryMiB: 1, acceleratorType: 'ascend-910b' } })).then(ErrorCode.IllegalState);
    spec.given([]).when(assign()).then({ code: ErrorCode.NotFound, reason: NodeRejection.NodeNotFound });
  });
});

describe('node - RequestTaskStop', () => {
  const assigned = () => [...registered(), event('TaskAssigned', T0, assignment())];

  it('asks the agent to stop an assigned attempt', () => {
    const s = spec.given(assigned()).when(stopTask()).then([
      event('TaskStopRequested', T1, { jobId: 'j1', task: 'worker-0', attempt: 1, graceMs: 10_000, reason: 'job stopped' }),
    ]) as RegisteredNode;
    expect(assignedTasks(s)).toEqual([]);
    expect(s.assignments['j1/worker-0']).toMatchObject({ status: 'stop-requested', stop: { graceMs: 10_000, requestedAt: T1 } });
  });

  it('a repeated stop, or a stop of an attempt already replaced, is a no-op', () => {
    const stopped = [...assigned(), event('TaskStopRequested', T1, { jobId: 'j1', task: 'worker-0', attempt: 1, graceMs: 1, reason: 'x' })];
    spec.given(stopped).when(stopTask()).thenNothing();
    spec.given([...assigned(), event('TaskAssigned', T1, assignment({ attempt: 2 }))]).when(stopTask()).thenNothing();
  });

  it('refuses a stop of work never assigned here', () => {
    spec.given(assigned()).when(stopTask({ task: 'worker-1' })).then({ code: ErrorCode.NotFound, reason: NodeRejection.UnknownAssignment });
    spec.given(assigned()).when(stopTask({ attempt: 2 })).then(ErrorCode.NotFound);
    spec.given([]).when(stopTask()).then(ErrorCode.NotFound);
  });
});

describe('node - ReleaseTask (issue 19)', () => {
  const assigned = () => [...registered(), event('TaskAssigned', T0, assignment())];
  const release = (over: Partial<ReleaseTask['data']> = {}) => cmd<ReleaseTask>('ReleaseTask', { jobId: 'j1', task: 'worker-0', attempt: 1, ...over });

  it('forgets the attempt: the node holds only live work', () => {
    const s = spec.given(assigned()).when(release()).then([event('TaskReleased', T1, { jobId: 'j1', task: 'worker-0', attempt: 1 })]) as RegisteredNode;
    expect(s.assignments).toEqual({});
  });

  it('is idempotent, and leaves a later attempt in place', () => {
    spec.given([...assigned(), event('TaskReleased', T1, { jobId: 'j1', task: 'worker-0', attempt: 1 })]).when(release()).thenNothing();
    const later = [...assigned(), event('TaskAssigned', T1, assignment({ attempt: 2 }))];
    spec.given(later).when(release()).thenNothing();
    // A late release event of the replaced attempt leaves the new one too.
    const s = nodeDecider.evolve(later.reduce(nodeDecider.evolve, nodeDecider.initialState()), event('TaskReleased', T1, { jobId: 'j1', task: 'worker-0', attempt: 1 }));
    expect(s.status === 'registered' && s.assignments['j1/worker-0']?.attempt).toBe(2);
  });

  it('refuses on a node that never registered', () => {
    spec.given([]).when(release()).then(ErrorCode.NotFound);
  });
});
