import { describe, expect, it } from 'vitest';
import { planGangs } from './gang-planner';
import { NeverFitsCause, WaitReason } from './plan';
import { job, node, running, view } from '@trainyard/testing/scheduling';

const cpuNode = (id: string, cpu: number, o: Parameters<typeof node>[1] = {}) => node(id, { cpu, memoryMiB: cpu * 1024, ...o });
const cpuJob = (id: string, nodeCount: number, cpu: number, o: Parameters<typeof job>[1] = {}) => job(id, { nodeCount, flavor: { cpu, memoryMiB: cpu * 1024 }, ...o });

describe('gang planner - placement', () => {
  it('places every instance of a job on nodes with room', () => {
    const plan = planGangs(view([cpuNode('a', 4), cpuNode('b', 4)], [cpuJob('j', 2, 3)]));
    expect(plan.place).toHaveLength(1);
    expect(plan.place[0].placements.map((p) => [p.task, p.index, p.nodeId, p.host])).toEqual([
      ['worker-0', 0, 'a', 'host-a'],
      ['worker-1', 1, 'b', 'host-b'],
    ]);
  });

  it('places nothing of a gang that does not fit whole now', () => {
    const plan = planGangs(view([cpuNode('a', 4), cpuNode('b', 4, { used: { cpu: 2, memoryMiB: 0 } })], [cpuJob('j', 2, 3)]));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'j', reason: WaitReason.HoldingReservation, deficit: { cpu: 1 }, unplacedInstances: 1 });
  });

  it('best fit: fills the node left fullest, and keeps accelerators free for jobs that need them', () => {
    const nodes = [node('gpu', { cpu: 16, gpu: 8 }), node('cpu-big', { cpu: 16 }), node('cpu-small', { cpu: 4 })];
    const plan = planGangs(view(nodes, [job('c', { flavor: { cpu: 3, memoryMiB: 1024 } }), job('g', { flavor: { cpu: 1, memoryMiB: 1024, gpu: 8 } })]));
    expect(Object.fromEntries(plan.place.map((p) => [p.jobId, p.placements[0].nodeId]))).toEqual({ c: 'cpu-small', g: 'gpu' });
  });

  it('matches the accelerator model when the flavor names one', () => {
    const nodes = [node('a100', { gpu: 8, acceleratorType: 'nvidia-a100' }), node('h100', { gpu: 8, acceleratorType: 'nvidia-h100' })];
    const plan = planGangs(view(nodes, [job('j', { flavor: { gpu: 8, acceleratorType: 'nvidia-h100' } })]));
    expect(plan.place[0].placements[0].nodeId).toBe('h100');
    const none = planGangs(view(nodes, [job('j', { flavor: { gpu: 1, acceleratorType: 'ascend-910b' } })]));
    expect(none.waiting[0]).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.NoEligibleNodes, filtered: { ACCELERATOR_TYPE_MISMATCH: 2 } });
  });

  it('keeps pools apart and skips unschedulable nodes', () => {
    const plan = planGangs(view([cpuNode('a', 8, { pool: 'other' }), cpuNode('b', 8, { schedulable: false })], [cpuJob('j', 1, 1)]));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.NoNodesInPool, position: 1 });
  });
});

describe('gang planner - queue order', () => {
  it('serves priority 3 before priority 1 even when it came later', () => {
    const plan = planGangs(view([cpuNode('a', 4)], [cpuJob('low', 1, 4, { priority: 1, queuedSeq: 1 }), cpuJob('high', 1, 4, { priority: 3, queuedSeq: 2 })]));
    expect(plan.place.map((p) => p.jobId)).toEqual(['high']);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'low', reason: WaitReason.HoldingReservation, position: 1 });
  });

  it('is first come, first served within a priority', () => {
    const plan = planGangs(view([cpuNode('a', 4)], [cpuJob('second', 1, 4, { queuedSeq: 2 }), cpuJob('first', 1, 4, { queuedSeq: 1 })]));
    expect(plan.place.map((p) => p.jobId)).toEqual(['first']);
  });

  it('puts a re-queued job ahead of everything of its priority, but not ahead of a higher priority', () => {
    const jobs = [
      cpuJob('p2-old', 1, 4, { priority: 2, queuedSeq: 1 }),
      cpuJob('p1-requeued', 1, 4, { priority: 1, queuedSeq: 9, requeued: true }),
      cpuJob('p2-requeued', 1, 4, { priority: 2, queuedSeq: 5, requeued: true }),
      cpuJob('p3', 1, 4, { priority: 3, queuedSeq: 7 }),
    ];
    const plan = planGangs(view([cpuNode('a', 4), cpuNode('b', 4), cpuNode('c', 4)], jobs));
    expect(plan.place.map((p) => p.jobId)).toEqual(['p3', 'p2-requeued', 'p2-old']);
    expect(plan.waiting.map((w) => w.jobId)).toEqual(['p1-requeued']);
  });

  it('does not let a job that can never fit block its pool', () => {
    const plan = planGangs(view([cpuNode('a', 4)], [cpuJob('second', 1, 1, { queuedSeq: 2 }), cpuJob('first', 1, 5, { queuedSeq: 1 })]));
    expect(plan.waiting.find((w) => w.jobId === 'first')).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.InstanceTooLarge, deficit: { cpu: 1 } });
    expect(plan.place.map((p) => p.jobId)).toEqual(['second']);
  });

  it('calls a gang larger than the whole pool NEVER_FITS rather than letting it hold the pool', () => {
    const plan = planGangs(view([cpuNode('a', 4), cpuNode('b', 2)], [cpuJob('j', 2, 3), cpuJob('small', 1, 1)]));
    expect(plan.waiting[0]).toMatchObject({ jobId: 'j', reason: WaitReason.NeverFits, cause: NeverFitsCause.GangTooLarge, capacityInstances: 1 });
    expect(plan.place.map((p) => p.jobId)).toEqual(['small']);
  });

  it('keeps a small job behind a head whose reservation needs the same capacity', () => {
    const busy = cpuNode('a', 4);
    const plan = planGangs(view([busy], [cpuJob('head', 1, 4, { queuedSeq: 1 }), cpuJob('tail', 1, 1, { queuedSeq: 2 })], { running: [running('r', ['a'], { flavor: { cpu: 2, memoryMiB: 2048 } })] }));
    expect(plan.place).toEqual([]);
    expect(plan.waiting.find((w) => w.jobId === 'tail')).toMatchObject({ reason: WaitReason.BehindInQueue, blockedBy: 'head', position: 2 });
  });
});
