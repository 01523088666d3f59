import { event, type NodeEvent } from '@trainyard/contracts';
import { nodeDecider, type NodeCommand, type NodeState } from '@trainyard/domain';
import { describe, expect, it } from 'vitest';
import { decideInOrder, type RefusedAction } from './decide-in-order';

const T0 = '2026-03-13T10:00:00.000Z';
const metadata = { now: T0 };
const assigned = (task: string) =>
  event('TaskAssigned', T0, {
    jobId: 'j', jobName: 'j', task, index: 0, attempt: 1, scheduleCount: 1, procStartCount: 1,
    algorithm: { command: 'train' }, flavor: { cpu: 1, memoryMiB: 128 }, runtime: 'process' as const, hosts: ['10.0.0.1'],
  });
const node: NodeState = [
  event('NodeRegistered', T0, { nodeId: 'n1', host: '10.0.0.1', pool: 'default', capacity: { cpu: 4, memoryMiB: 4096, gpu: 0, npu: 0 }, labels: {} }),
  assigned('worker-0'),
  assigned('worker-1'),
].reduce<NodeState>((s, e) => nodeDecider.evolve(s, e as NodeEvent), nodeDecider.initialState());
const stop = (task: string): NodeCommand => ({ type: 'RequestTaskStop', data: { jobId: 'j', task, attempt: 1, graceMs: 1000, reason: 'lost' }, metadata });

describe('decideInOrder - several commands to one aggregate as one decision', () => {
  it('decides each on the state the ones before left: a repeated stop adds nothing', () => {
    const refused: RefusedAction<NodeCommand>[] = [];
    const d = decideInOrder(nodeDecider, [stop('worker-0'), stop('worker-1'), stop('worker-0')], (c) => c, node, refused);
    expect(d.ok && d.events.map((e) => (e.data as { task: string }).task)).toEqual(['worker-0', 'worker-1']);
    expect(refused).toEqual([]);
  });

  it('in a batch, a refused command is set aside and the others still commit; alone, its refusal is the answer', () => {
    const refused: RefusedAction<NodeCommand>[] = [{ action: stop('stale'), reason: 'x', message: 'from an earlier call' }];
    const d = decideInOrder(nodeDecider, [stop('worker-9'), stop('worker-1')], (c) => c, node, refused);
    expect(d.ok && d.events.map((e) => e.type)).toEqual(['TaskStopRequested']);
    expect(refused.map((r) => r.reason)).toEqual(['UnknownAssignment']);
    const alone = decideInOrder(nodeDecider, [stop('worker-9')], (c) => c, node, refused);
    expect(alone.ok).toBe(false);
    expect(refused).toEqual([]);
  });
});
