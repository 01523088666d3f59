import { event, Subjects, withDefaults, type DomainEvent, type StoredCommit, type TaskAssignment, type TrainingJobSpec } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state';
import { followUpActions, type AssignAction } from './follow-up-actions';

const T0 = '2026-03-13T10:00:00.000Z';
const EIGHT = ['0', '1', '2', '3', '4', '5', '6', '7'];

function gpuSpec(gpu: number, nodeCount = 1): TrainingJobSpec {
  return withDefaults({ kind: 'job', metadata: { name: 'g' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 256, gpu }, nodeCount } } });
}

class Log {
  seq = 0;
  readonly state = new ClusterState();
  private commit(subject: string, events: DomainEvent[]) {
    this.state.apply({ subject, seq: ++this.seq, events, meta: { commandId: `c${this.seq}`, correlationId: 'x', actor: 't' } } as StoredCommit);
    return this;
  }
  node(id: string, gpus: string[] = EIGHT) {
    const data = { nodeId: id, host: `${id}.lan`, pool: 'default', capacity: { cpu: 8, memoryMiB: 8192, gpu: gpus.length, npu: 0 }, labels: {}, ...(gpus.length ? { devices: { gpu: gpus } } : {}) };
    return this.commit(Subjects.node(id), [event('NodeRegistered', T0, data)]);
  }
  /** A job placed on `nodes` (one task per entry), not yet assigned to them. */
  placed(id: string, s: TrainingJobSpec, nodes: string[]) {
    const tasks = nodes.map((_, i) => `worker-${i}`);
    return this.commit(Subjects.job(id), [
      event('JobCreated', T0, { jobId: id, spec: s, tasks, createdBy: 'u' }),
      event('JobQueued', T0, { priority: 1 }),
      event('JobScheduled', T0, { attempt: 1, placements: nodes.map((n, i) => ({ task: `worker-${i}`, index: i, nodeId: n, host: `${n}.lan` })) }),
    ]);
  }
  assigned(nodeId: string, a: TaskAssignment) {
    return this.commit(Subjects.node(nodeId), [event('TaskAssigned', T0, a)]);
  }
  job(id: string, ...events: DomainEvent[]) {
    return this.commit(Subjects.job(id), events);
  }
}

const assigns = (log: Log) => followUpActions(log.state).filter((a): a is AssignAction => a.kind === 'assign');
const devicesOf = (log: Log) => Object.fromEntries(assigns(log).map((a) => [`${a.assignment.jobId}/${a.assignment.task}`, a.assignment.devices]));

describe('scheduler - cards for the tasks it assigns (issue 14)', () => {
  it('two GPU jobs on one 8-GPU node get disjoint cards, in one pass and again after the first is committed', () => {
    const log = new Log().node('n1').placed('a', gpuSpec(4), ['n1']).placed('b', gpuSpec(3), ['n1']);
    expect(devicesOf(log)).toEqual({ 'a/worker-0': ['0', '1', '2', '3'], 'b/worker-0': ['4', '5', '6'] });
    // The same pass again (a re-issued command) yields the same cards.
    expect(devicesOf(log)).toEqual({ 'a/worker-0': ['0', '1', '2', '3'], 'b/worker-0': ['4', '5', '6'] });
    const [a] = assigns(log);
    log.assigned('n1', a.assignment);
    expect(devicesOf(log)).toEqual({ 'b/worker-0': ['4', '5', '6'] });
  });

  it('a card comes free when the task holding it ends; a job the cards do not fit is held back, not doubled up', () => {
    const log = new Log().node('n1').placed('a', gpuSpec(8), ['n1']);
    log.assigned('n1', assigns(log)[0].assignment);
    log.placed('b', gpuSpec(2), ['n1']);
    expect(devicesOf(log)).toEqual({});
    log.job('a', event('TaskStarted', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', procStartCount: 1 }), event('JobStarted', T0, { attempt: 1 }));
    // The last exit and the job's end are one commit; an exit alone keeps the card (an in-place restart may follow).
    log.job('a', event('TaskExited', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 0, signal: null, reason: 'exited' }));
    expect(devicesOf(log)).toEqual({});
    log.job('a', event('JobSucceeded', T0, { attempt: 1 }));
    expect(devicesOf(log)).toEqual({ 'b/worker-0': ['0', '1'] });
  });

  it('every task of a gang carries the cards of every instance by index (the device ids of the rank table)', () => {
    const log = new Log().node('n1').node('n2').placed('x', gpuSpec(2), ['n1', 'n1']).placed('y', gpuSpec(2, 2), ['n1', 'n2']);
    const y = assigns(log).filter((a) => a.assignment.jobId === 'y').map((a) => a.assignment);
    expect(y.map((a) => a.devices)).toEqual([['4', '5'], ['0', '1']]);
    expect(y.map((a) => a.devicesByIndex)).toEqual([[['4', '5'], ['0', '1']], [['4', '5'], ['0', '1']]]);
  });

  it('a CPU flavor, or a node that declared no card ids, gets no devices field', () => {
    const cpu = withDefaults({ kind: 'job', metadata: { name: 'c' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 } } } });
    const log = new Log().node('n1').placed('c', cpu, ['n1']);
    expect(assigns(log)[0].assignment).not.toHaveProperty('devices');
    const old = new Log();
    old.node('n0', []);
    // A node from before card ids: capacity counts GPUs, but there are no ids to hand out.
    old.placed('g', gpuSpec(1), ['n0']);
    expect(assigns(old)[0].assignment).not.toHaveProperty('devices');
  });
});
