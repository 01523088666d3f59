import type { Capacity } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterView, NodeView, PendingJob, RunningJob } from './cluster-view';
import { planGangs } from './gang-planner';
import { job, node, running, supernode, view } from '@trainyard/testing/scheduling';

/**
 * Pod reschedule (ch12 §4.4.4): the scheduler is the only placer. A running job that lost a task is in
 * the queue with just that task (`tasks`); its survivors keep their nodes. Same feasibility as any
 * placement, and one picture for the whole pass, so a moved pod and a new job never share the last room.
 */

const FLAVOR = { cpu: 4, memoryMiB: 4096, gpu: 4 };
/** `j` runs worker-0 and worker-2 on their nodes; worker-1 lost its node and waits for a new one. */
const lostTask = (o: Partial<PendingJob> = {}): PendingJob =>
  job('j', { nodeCount: 1, requeued: true, tasks: [{ name: 'worker-1', index: 1 }], flavor: FLAVOR, ...o });

describe('planner - pod re-placement (a running job\'s lost task)', () => {
  it('places only the lost task, under its own name and index', () => {
    const nodes = [node('a', { gpu: 8 }), node('b', { gpu: 8 }), node('c', { gpu: 8 })];
    const plan = planGangs(view(nodes, [lostTask()], { running: [running('j', ['a', 'b'], { flavor: FLAVOR })] }));
    expect(plan.place).toHaveLength(1);
    expect(plan.place[0].placements).toHaveLength(1);
    expect(plan.place[0].placements[0]).toMatchObject({ task: 'worker-1', index: 1 });
  });

  it('never lands on an unschedulable (isolated) node, nor outside the pool or the accelerator model', () => {
    const nodes = [
      node('lost', { gpu: 8, schedulable: false }),
      node('other-pool', { gpu: 8, pool: 'p2' }),
      node('h100', { gpu: 8, acceleratorType: 'h100' }),
      node('ok', { gpu: 8, acceleratorType: 'a100' }),
    ];
    const plan = planGangs(view(nodes, [lostTask({ flavor: { ...FLAVOR, acceleratorType: 'a100' } })]));
    expect(plan.place.map((p) => p.placements[0].nodeId)).toEqual(['ok']);
  });

  it('waits (holds nothing, preempts nothing) when no node has room', () => {
    const nodes = [node('a', { gpu: 4 })];
    const plan = planGangs(view(nodes, [lostTask({ priority: 3 })], { running: [running('low', ['a'], { flavor: FLAVOR, preemptible: true, priority: 1 })] }), { minRunTimeMs: 0 });
    expect(plan.place).toEqual([]);
    expect(plan.preempt).toEqual([]);
    expect(plan.reservations).toEqual([]);
    expect(plan.waiting.map((w) => w.jobId)).toEqual(['j']);
  });

  it('a grouped job\'s task goes back to its group\'s supernode, on a node of its own', () => {
    const sA = supernode('sA', 3, { gpu: 8 });
    const sB = supernode('sB', 3, { gpu: 8 });
    // Group 0 (worker-0, worker-1) lived on sA; worker-1 lost sA0. sA1 runs worker-0; sA2 runs a small job.
    const busy = running('small', ['sA2'], { flavor: { cpu: 1, memoryMiB: 1024 } });
    const j = running('j', ['sA1'], { flavor: FLAVOR, affinityGroupSize: 2 });
    const lost = lostTask({ affinityGroupSize: 2, supernode: 'sA' });
    const none = planGangs(view([...sA.filter((n) => n.id !== 'sA0'), ...sB], [lost], { running: [busy, j] }));
    // sA has no empty node left: it waits rather than break the group.
    expect(none.place).toEqual([]);
    const back = planGangs(view([...sA, ...sB], [lost], { running: [busy, j] }));
    expect(back.place[0].placements.map((p) => p.nodeId)).toEqual(['sA0']);
  });

  it('goes first in its priority: ahead of a new job competing for the last room', () => {
    const nodes = [node('a', { gpu: 4 })];
    const plan = planGangs(view(nodes, [job('new', { flavor: FLAVOR, queuedSeq: 0 }), lostTask({ queuedSeq: 99 })]));
    expect(plan.place.map((p) => p.jobId)).toEqual(['j']);
  });

  // ---------------------------------------------------------------- the race this design removes

  const arbCase = fc.record({
    nodes: fc.array(fc.record({ gpu: fc.constantFrom(0, 4, 8), cpu: fc.integer({ min: 2, max: 16 }), schedulable: fc.constantFrom(true, true, true, false) }), { minLength: 1, maxLength: 8 }),
    survivors: fc.array(fc.nat(), { maxLength: 3 }),
    lost: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 2 }),
    flavor: fc.record({ cpu: fc.integer({ min: 1, max: 6 }), gpu: fc.constantFrom(0, 1, 4) }),
    jobs: fc.array(fc.record({ cpu: fc.integer({ min: 1, max: 6 }), gpu: fc.constantFrom(0, 1, 4, 8), instances: fc.integer({ min: 1, max: 3 }), priority: fc.integer({ min: 1, max: 3 }) }), { maxLength: 6 }),
    priority: fc.integer({ min: 1, max: 3 }),
  });

  /** A consistent view: survivors fit their nodes; the lost tasks of `j` and some new jobs queue. */
  type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;
  const toView = (c: Case): ClusterView => {
    const nodes: NodeView[] = c.nodes.map((n, i) => node(`n${i}`, { cpu: n.cpu, gpu: n.gpu, schedulable: n.schedulable }));
    const flavor = { cpu: c.flavor.cpu, memoryMiB: c.flavor.cpu * 512, gpu: c.flavor.gpu };
    const used = new Map<string, Capacity>(nodes.map((n) => [n.id, { ...n.used }]));
    const survivorNodes: string[] = [];
    for (const pick of c.survivors) {
      const n = nodes[pick % nodes.length];
      const u = used.get(n.id)!;
      if (u.cpu + flavor.cpu > n.capacity.cpu || u.gpu + flavor.gpu > n.capacity.gpu) continue;
      used.set(n.id, { ...u, cpu: u.cpu + flavor.cpu, memoryMiB: u.memoryMiB + flavor.memoryMiB, gpu: u.gpu + flavor.gpu });
      survivorNodes.push(n.id);
    }
    const lostIdx = [...new Set(c.lost)].sort((a, b) => a - b);
    const runningJobs: RunningJob[] = survivorNodes.length ? [running('j', survivorNodes, { flavor, priority: c.priority })] : [];
    const queue: PendingJob[] = [
      job('j', { priority: c.priority, requeued: true, queuedSeq: 1000, flavor, nodeCount: lostIdx.length, tasks: lostIdx.map((i) => ({ name: `worker-${i}`, index: i })) }),
      ...c.jobs.map((x, k) => job(`new${k}`, { priority: x.priority, queuedSeq: k + 1, nodeCount: x.instances, flavor: { cpu: x.cpu, memoryMiB: x.cpu * 512, gpu: x.gpu } })),
    ];
    return { now: view([], []).now, nodes: nodes.map((n) => ({ ...n, used: used.get(n.id)! })), queue, running: runningJobs };
  };

  it('property: a pod re-placement never over-commits a node when the same plan also places new jobs', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const v = toView(c);
        const plan = planGangs(v);
        const used = new Map(v.nodes.map((n) => [n.id, { ...n.used }]));
        for (const p of plan.place) {
          const f = v.queue.find((q) => q.jobId === p.jobId)!.flavor;
          for (const t of p.placements) {
            expect(v.nodes.find((n) => n.id === t.nodeId)!.schedulable).toBe(true);
            const u = used.get(t.nodeId)!;
            used.set(t.nodeId, { cpu: u.cpu + f.cpu, memoryMiB: u.memoryMiB + f.memoryMiB, gpu: u.gpu + (f.gpu ?? 0), npu: u.npu + (f.npu ?? 0) });
          }
        }
        for (const n of v.nodes) {
          const u = used.get(n.id)!;
          expect(u.cpu <= n.capacity.cpu && u.memoryMiB <= n.capacity.memoryMiB && u.gpu <= n.capacity.gpu && u.npu <= n.capacity.npu).toBe(true);
        }
        // The re-placement names exactly the lost tasks; the survivors are not placed again.
        const mine = plan.place.find((p) => p.jobId === 'j');
        if (mine) expect(mine.placements.map((p) => p.task)).toEqual(v.queue[0].tasks!.map((t) => t.name));
      }),
    );
  });
});

describe('planner - nodes to avoid for this attempt (pre-check failed, hardware healthy)', () => {
  it('goes to another node when one can take it', () => {
    // Without the avoid list the deterministic planner picks n0 (first of equal nodes).
    const nodes = [node('n0'), node('n1'), node('n2')];
    expect(planGangs(view(nodes, [job('j')])).place[0].placements[0].nodeId).toBe('n0');
    const plan = planGangs(view(nodes, [job('j', { requeued: true, avoidNodes: ['n0'] })]));
    expect(plan.place[0].placements[0].nodeId).not.toBe('n0');
  });

  it('reuses the avoided node as a last resort (preferred, not required)', () => {
    const nodes = [node('n0'), node('n1', { schedulable: false })];
    const plan = planGangs(view(nodes, [job('j', { avoidNodes: ['n0'] })]));
    expect(plan.place[0].placements[0].nodeId).toBe('n0');
  });

  it('weighs more than a preference the user stated for that node', () => {
    const nodes = [node('n0'), node('n1')];
    const nodeAffinity = [{ type: 'affinity' as const, strength: 'preferred' as const, labels: { 'trainyard.io/node-id': 'n1' } }];
    expect(planGangs(view(nodes, [job('j', { nodeAffinity })])).place[0].placements[0].nodeId).toBe('n1');
    expect(planGangs(view(nodes, [job('j', { nodeAffinity, avoidNodes: ['n1'] })])).place[0].placements[0].nodeId).toBe('n0');
  });

  it('a gang spreads over the other nodes first, then fills the avoided one', () => {
    const nodes = [node('n0', { gpu: 8 }), node('n1', { gpu: 8 }), node('n2', { gpu: 8 })];
    const two = planGangs(view(nodes, [job('j', { nodeCount: 2, avoidNodes: ['n0'], flavor: { gpu: 8 } })]));
    expect(two.place[0].placements.map((p) => p.nodeId).sort()).toEqual(['n1', 'n2']);
    const three = planGangs(view(nodes, [job('j', { nodeCount: 3, avoidNodes: ['n0'], flavor: { gpu: 8 } })]));
    expect(three.place[0].placements.map((p) => p.nodeId).sort()).toEqual(['n0', 'n1', 'n2']);
  });
});
