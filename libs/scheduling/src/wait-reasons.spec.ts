import { describe, expect, it } from 'vitest';
import { FilterReason } from './feasibility/filter-reason';
import { planGangs } from './gang-planner';
import { NeverFitsCause, WaitReason } from './plan';
import { PlanSession } from './planning/plan-session';
import { job, node, running, view } from '@trainyard/testing/scheduling';

const gpus = (n: number) => ({ flavor: { cpu: 1, memoryMiB: 1024, gpu: n } });
/** Two 8-GPU nodes with 6 GPUs busy on each, for a job of unknown end. */
const busy = () => ({ nodes: [node('a', { gpu: 8 }), node('b', { gpu: 8 })], running: [running('r', ['a', 'b'], gpus(6))] });

describe('wait reasons - one typed reason with its numbers', () => {
  it('INSUFFICIENT_RESOURCES: shortfall of one instance, of the gang against the pool, instances without room, nodes rejected', () => {
    const { nodes, running: r } = busy();
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) }), job('j', { nodeCount: 4, ...gpus(4) })], { running: r }));
    expect(plan.waiting[1]).toEqual({
      jobId: 'j',
      reason: WaitReason.InsufficientResources,
      position: 2,
      deficit: { gpu: 2 },
      poolDeficit: { gpu: 12 },
      unplacedInstances: 4,
      filtered: { [FilterReason.InsufficientGpu]: 2 },
      nodeReasons: {},
    });
  });

  it('BEHIND_IN_QUEUE: names the job whose hold it would need', () => {
    const { nodes, running: r } = busy();
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) }), job('small', gpus(2))], { running: r }));
    expect(plan.waiting[1]).toMatchObject({ jobId: 'small', reason: WaitReason.BehindInQueue, position: 2, blockedBy: 'head', filtered: { [FilterReason.ReservedForOtherJob]: 2 } });
    expect(plan.waiting[1].nodeReasons).toEqual({ a: FilterReason.ReservedForOtherJob, b: FilterReason.ReservedForOtherJob });
  });

  it('HOLDING_RESERVATION: what is held, until when, and when it should start', () => {
    const { nodes, running: r } = busy();
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) })], { running: r }));
    expect(plan.waiting[0]).toMatchObject({
      reason: WaitReason.HoldingReservation,
      reservation: { kind: 'backfill', startsAt: null, expiresAt: '2026-03-13T10:15:00.000Z', nodes: 2 },
      deficit: { gpu: 6 },
      unplacedInstances: 2,
    });
  });

  it('NEVER_FITS: the cause, and the numbers behind it', () => {
    const nodes = [node('a', { gpu: 8 }), node('b', { gpu: 4, schedulable: false })];
    const plan = planGangs(view(nodes, [job('big', gpus(16)), job('many', { nodeCount: 3, ...gpus(4) })]));
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.InstanceTooLarge, deficit: { gpu: 8 }, filtered: { NODE_NOT_SCHEDULABLE: 1, INSTANCE_LARGER_THAN_NODE: 1 } });
    expect(plan.waiting[1]).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.GangTooLarge, capacityInstances: 2 });
  });

  it('NO_NODES_IN_POOL: a pool without a schedulable node', () => {
    expect(planGangs(view([node('a')], [job('j', { pool: 'elsewhere' })])).waiting[0]).toEqual({ jobId: 'j', reason: WaitReason.NoNodesInPool, position: 1 });
  });

  it('names at most maxNodeReasons nodes; the rest are counted', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => node(`n${i}`, { gpu: 8, acceleratorType: 'a100' }));
    const plan = planGangs(view(nodes, [job('j', { flavor: { cpu: 1, memoryMiB: 1, gpu: 1, acceleratorType: 'h100' } })]), { maxNodeReasons: 3 });
    expect(Object.keys(plan.waiting[0].nodeReasons ?? {})).toHaveLength(3);
    expect(plan.waiting[0].filtered).toEqual({ ACCELERATOR_TYPE_MISMATCH: 10 });
  });
});

describe('plan session - one decision per step', () => {
  it('decides jobs in queue order and ends with the same plan as planGangs', () => {
    const { nodes, running: r } = busy();
    const v = view(nodes, [job('p1', gpus(1)), job('p3', { ...gpus(2), priority: 3 }), job('big', gpus(16))], { running: r });
    const session = new PlanSession(v);
    expect(session.remaining).toBe(3);
    expect(session.step()).toEqual({ jobId: 'p3', outcome: 'placed', instances: 1 });
    expect(session.step()).toEqual({ jobId: 'p1', outcome: 'placed', instances: 1 });
    expect(session.step()).toEqual({ jobId: 'big', outcome: 'waiting', reason: WaitReason.NeverFits });
    expect(session.done).toBe(true);
    expect(session.plan()).toEqual(planGangs(v));
  });
});
