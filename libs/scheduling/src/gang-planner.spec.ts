import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, demandOf, fits, scale, ZERO } from './capacity';
import type { ClusterView, NodeView, PendingJob } from './cluster-view';
import { planGangs } from './gang-planner';
import { WaitReason } from './plan';

const node = (id: string, cpu: number, gpu = 0, pool = 'default'): NodeView => ({
  id, host: `10.0.0.${id.length}`, pool, labels: {}, schedulable: true,
  capacity: { cpu, memoryMiB: cpu * 1024, gpu, npu: 0 }, used: ZERO,
});
const job = (jobId: string, nodeCount: number, cpu: number, priority = 1, queuedSeq = 1, gpu = 0, pool = 'default'): PendingJob => ({
  jobId, nodeCount, priority, queuedSeq, pool, flavor: { cpu, memoryMiB: cpu * 1024, gpu },
});
const view = (nodes: NodeView[], queue: PendingJob[]): ClusterView => ({ now: '2026-01-01T00:00:00Z', nodes, queue });

describe('gang planner - examples', () => {
  it('places every instance of a job on nodes with room', () => {
    const plan = planGangs(view([node('a', 4), node('b', 4)], [job('j', 2, 3)]));
    expect(plan.place).toHaveLength(1);
    expect(plan.place[0].placements.map((p) => [p.task, p.nodeId])).toEqual([['worker-0', 'a'], ['worker-1', 'b']]);
  });

  it('places nothing of a gang that does not fit whole', () => {
    const plan = planGangs(view([node('a', 4), node('b', 2)], [job('j', 2, 3)]));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'j', reason: WaitReason.InsufficientResources, deficit: { cpu: 1 } });
  });

  it('serves priority 3 before priority 1 even when it came later', () => {
    const plan = planGangs(view([node('a', 4)], [job('low', 1, 4, 1, 1), job('high', 1, 4, 3, 2)]));
    expect(plan.place.map((p) => p.jobId)).toEqual(['high']);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'low', reason: WaitReason.InsufficientResources });
  });

  it('is first come, first served within a priority and keeps later jobs behind a blocked head', () => {
    const plan = planGangs(view([node('a', 4)], [job('second', 1, 1, 1, 2), job('first', 1, 8 / 2 + 1, 1, 1)]));
    // `first` needs 5 cores on a 4-core pool: it can never fit, so it must not block `second`.
    expect(plan.waiting.find((w) => w.jobId === 'first')?.reason).toBe(WaitReason.NeverFits);
    expect(plan.place.map((p) => p.jobId)).toEqual(['second']);

    const blocked = planGangs(view([node('a', 4, 0), node('b', 4)], [job('big', 2, 3, 1, 1), job('small', 1, 1, 1, 2)].map((j) => j)));
    expect(blocked.place.map((p) => p.jobId)).toEqual(['big', 'small']);

    const busy = { ...node('a', 4), used: { cpu: 2, memoryMiB: 0, gpu: 0, npu: 0 } };
    const strict = planGangs(view([busy], [job('head', 1, 4, 1, 1), job('tail', 1, 1, 1, 2)]));
    expect(strict.place).toEqual([]);
    expect(strict.waiting.find((w) => w.jobId === 'tail')).toMatchObject({ reason: WaitReason.BehindInQueue, blockedBy: 'head', position: 2 });
  });

  it('keeps pools apart and skips unschedulable nodes', () => {
    const down = { ...node('b', 8), schedulable: false };
    const plan = planGangs(view([node('a', 8, 0, 'other'), down], [job('j', 1, 1)]));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0].reason).toBe(WaitReason.NoNodesInPool);
  });
});

const arbNode = fc.record({
  cpu: fc.integer({ min: 1, max: 16 }), gpu: fc.integer({ min: 0, max: 8 }),
  usedCpu: fc.integer({ min: 0, max: 16 }), pool: fc.constantFrom('p1', 'p2'), schedulable: fc.boolean(),
});
const arbJob = fc.record({
  nodeCount: fc.integer({ min: 1, max: 6 }), cpu: fc.integer({ min: 1, max: 8 }), gpu: fc.integer({ min: 0, max: 4 }),
  priority: fc.integer({ min: 1, max: 3 }), pool: fc.constantFrom('p1', 'p2'),
});
const arbView = fc.tuple(fc.array(arbNode, { minLength: 1, maxLength: 12 }), fc.array(arbJob, { maxLength: 15 })).map(([ns, js]) =>
  view(
    ns.map((n, i) => ({
      ...node(`n${i}`, n.cpu, n.gpu, n.pool), schedulable: n.schedulable,
      used: { cpu: Math.min(n.usedCpu, n.cpu), memoryMiB: 0, gpu: 0, npu: 0 },
    })),
    js.map((j, i) => job(`j${i}`, j.nodeCount, j.cpu, j.priority, i + 1, j.gpu, j.pool)),
  ),
);

describe('gang planner - properties', () => {
  it('never over-commits a node', () => {
    fc.assert(fc.property(arbView, (v) => {
      const plan = planGangs(v);
      const used = new Map(v.nodes.map((n) => [n.id, n.used]));
      for (const p of plan.place) {
        const j = v.queue.find((q) => q.jobId === p.jobId)!;
        for (const t of p.placements) used.set(t.nodeId, add(used.get(t.nodeId)!, demandOf(j.flavor)));
      }
      for (const n of v.nodes) expect(fits(used.get(n.id)!, n.capacity)).toBe(true);
    }));
  });

  it('places a gang whole or not at all, only on schedulable nodes of its pool', () => {
    fc.assert(fc.property(arbView, (v) => {
      const plan = planGangs(v);
      for (const p of plan.place) {
        const j = v.queue.find((q) => q.jobId === p.jobId)!;
        expect(p.placements.map((t) => t.index)).toEqual([...Array(j.nodeCount).keys()]);
        for (const t of p.placements) {
          const n = v.nodes.find((x) => x.id === t.nodeId)!;
          expect(n.schedulable && n.pool === j.pool).toBe(true);
        }
      }
      expect(plan.place.length + plan.waiting.length).toBe(v.queue.length);
    }));
  });

  it('never leaves a higher-priority job that fits waiting behind a lower-priority one placed in its pool', () => {
    fc.assert(fc.property(arbView, (v) => {
      const plan = planGangs(v);
      const placed = new Set(plan.place.map((p) => p.jobId));
      for (const w of plan.waiting) {
        const wj = v.queue.find((q) => q.jobId === w.jobId)!;
        if (w.reason === WaitReason.NeverFits || w.reason === WaitReason.NoNodesInPool) continue;
        for (const q of v.queue) {
          if (placed.has(q.jobId) && q.pool === wj.pool) expect(q.priority).toBeGreaterThanOrEqual(wj.priority);
        }
      }
    }));
  });

  it('places a lone job whenever the pool has room for the whole gang', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), (nodes, cpu) => {
      const v = view([...Array(nodes).keys()].map((i) => node(`n${i}`, 4)), [job('j', nodes, cpu)]);
      expect(planGangs(v).place).toHaveLength(1);
      expect(scale(demandOf(v.queue[0].flavor), nodes).cpu).toBe(nodes * cpu);
    }));
  });
});
