import { describe, expect, it } from 'vitest';
import { admissionCheck } from './admission-check';
import { NodeLabel, type NodeView, type RunningJob } from './cluster-view';
import { FilterReason } from './feasibility/filter-reason';
import { planGangs } from './gang-planner';
import { NeverFitsCause, WaitReason } from './plan';
import { job, node, running, view } from '@trainyard/testing/scheduling';

const NPU = { cpu: 192, memoryMiB: 1_572_864, npu: 16, acceleratorType: 'ascend-snt9b23' } as const;
const fullNode = { cpu: 190, memoryMiB: 1_500_000, npu: 16, acceleratorType: 'ascend-snt9b23' };

/** Supernodes of 8 nodes; the first `8 − available` of each run one task of someone else. */
function pool(name: string, supernodes: [string, number][]): { nodes: NodeView[]; running: RunningJob[] } {
  const nodes: NodeView[] = [];
  const busy: RunningJob[] = [];
  for (const [sn, available] of supernodes) {
    for (let i = 0; i < 8; i++) {
      const id = `${sn}-${i}`;
      nodes.push(node(id, { pool: name, supernode: sn, ...NPU }));
      if (i < 8 - available) busy.push(running(`busy-${id}`, [id], { pool: name, flavor: { cpu: 8, memoryMiB: 65_536, npu: 8, acceleratorType: NPU.acceleratorType } }));
    }
  }
  return { nodes, running: busy };
}

const groupJob = (id: string, poolName: string, nodeCount = 8, affinityGroupSize = 2) =>
  job(id, { pool: poolName, nodeCount, affinityGroupSize, flavor: fullNode });

describe('supernode affinity groups - the guide worked example (ch13 §7.3)', () => {
  // 8 instances in groups of 2 → 4 groups. Pool A: supernodes with 6 and 2 free nodes → 3 + 1 = 4
  // groups. Pool B: 7 and 1 free → 3 + 0 = 3 groups. Both pools have 8 free nodes.
  const a = pool('A', [['sn1', 6], ['sn2', 2]]);
  const b = pool('B', [['sn3', 7], ['sn4', 1]]);

  it('schedules on pool A: each pair shares a supernode, one whole free node per instance', () => {
    const plan = planGangs(view(a.nodes, [groupJob('j', 'A')], { running: a.running }));
    expect(plan.place).toHaveLength(1);
    const placed = plan.place[0].placements;
    const sn = (nodeId: string) => a.nodes.find((n) => n.id === nodeId)!.labels[NodeLabel.Supernode];
    for (let g = 0; g < 4; g++) expect(sn(placed[2 * g].nodeId)).toBe(sn(placed[2 * g + 1].nodeId));
    const ids = placed.map((p) => p.nodeId);
    expect(new Set(ids).size).toBe(8);
    const busy = new Set(a.running.flatMap((r) => r.nodeIds));
    expect(ids.filter((id) => busy.has(id))).toEqual([]);
    // Best fit over supernodes: the group that fits sn2 exactly goes there, keeping sn1's room together.
    expect(placed.filter((p) => sn(p.nodeId) === 'sn2')).toHaveLength(2);
  });

  it('queues on pool B for insufficient resources: 3 allocatable groups < 4 needed', () => {
    const plan = planGangs(view(b.nodes, [groupJob('j', 'B'), groupJob('k', 'B')], { running: b.running }));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'j', reason: WaitReason.HoldingReservation, affinityGroups: { needed: 4, allocatable: 3 }, unplacedInstances: 2 });
    // j holds whole nodes for when the busy ones free (8 nodes, 4 groups); k, behind it, is told
    // what is left for it: sn3's free nodes are held, sn4's single free node cannot form a group.
    expect(plan.reservations[0]).toMatchObject({ jobId: 'j', kind: 'backfill', status: 'active', startsAt: null });
    expect(plan.reservations[0].nodes.every((n) => n.wholeNode && n.instances === 1)).toBe(true);
    expect(plan.waiting[1]).toMatchObject({ jobId: 'k', position: 2, reason: WaitReason.InsufficientResources, affinityGroups: { needed: 4, allocatable: 0 } });
    expect(plan.waiting[1].filtered).toMatchObject({ [FilterReason.ReservedForOtherJob]: 7, [FilterReason.SupernodeGroupUnavailable]: 1 });
  });

  it('admits both pools at submit (the empty pools hold the groups), and refuses more groups than supernodes hold', () => {
    expect(admissionCheck(groupJob('j', 'A'), a.nodes)).toEqual({ ok: true });
    expect(admissionCheck(groupJob('j', 'B'), b.nodes)).toEqual({ ok: true });
    expect(admissionCheck(groupJob('j', 'B', 18, 2), b.nodes)).toMatchObject({ ok: false, reason: WaitReason.NeverFits, cause: NeverFitsCause.AffinityGroupsTooLarge, affinityGroups: { needed: 9, allocatable: 8 } });
    // Groups of 3 in supernodes of 8: two groups per supernode, never three.
    expect(admissionCheck(groupJob('j', 'B', 15, 3), b.nodes)).toMatchObject({ ok: false, affinityGroups: { needed: 5, allocatable: 4 } });
  });
});

describe('supernode affinity groups - whole nodes', () => {
  const nodes = [...Array.from({ length: 4 }, (_, i) => node(`s${i}`, { supernode: 's', gpu: 8 })), node('loose', { gpu: 8 })];

  it('leaves the nodes of a group to that group alone', () => {
    const plan = planGangs(view(nodes, [job('g', { nodeCount: 2, affinityGroupSize: 2, flavor: { gpu: 2 } }), job('small', { nodeCount: 3, flavor: { gpu: 1 } })]));
    const group = new Set(plan.place.find((p) => p.jobId === 'g')!.placements.map((p) => p.nodeId));
    const small = plan.place.find((p) => p.jobId === 'small')!.placements.map((p) => p.nodeId);
    expect(group.size).toBe(2);
    expect(small.filter((id) => group.has(id))).toEqual([]);
  });

  it('treats a node run by a group task as owned whole even with room left', () => {
    const plan = planGangs(
      view(nodes.slice(0, 1), [job('small', { flavor: { gpu: 1 } })], { running: [running('g', ['s0'], { affinityGroupSize: 1, flavor: { gpu: 2 } })] }),
    );
    expect(plan.place).toEqual([]);
  });

  it('needs empty nodes: a node with any task cannot take a group instance', () => {
    const plan = planGangs(view(nodes.slice(0, 2), [job('g', { nodeCount: 2, affinityGroupSize: 2, flavor: { gpu: 1 } })], { running: [running('r', ['s1'], { flavor: { cpu: 1 } })] }));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ affinityGroups: { needed: 1, allocatable: 0 } });
  });

  it('uses only labelled nodes (an unlabelled node is in no supernode)', () => {
    const plan = planGangs(view([node('loose', { gpu: 8 })], [job('g', { nodeCount: 1, affinityGroupSize: 1, flavor: { gpu: 8 } })]));
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.NoEligibleNodes, filtered: { NOT_IN_SUPERNODE: 1 } });
  });

  it('judges each group size on its own, even for jobs of the same flavor', () => {
    const threes = [...Array.from({ length: 3 }, (_, i) => node(`a${i}`, { supernode: 'a' })), ...Array.from({ length: 3 }, (_, i) => node(`b${i}`, { supernode: 'b' }))];
    const plan = planGangs(view(threes, [job('fours', { nodeCount: 4, affinityGroupSize: 4 }), job('twos', { nodeCount: 4, affinityGroupSize: 2 })]));
    expect(plan.waiting).toMatchObject([{ jobId: 'fours', reason: WaitReason.NeverFits, cause: NeverFitsCause.AffinityGroupsTooLarge, affinityGroups: { needed: 1, allocatable: 0 } }]);
    expect(plan.place.map((p) => p.jobId)).toEqual(['twos']);
  });

  it('puts all instances in one supernode when the group is the whole job', () => {
    const two = [...Array.from({ length: 3 }, (_, i) => node(`a${i}`, { supernode: 'a' })), ...Array.from({ length: 4 }, (_, i) => node(`b${i}`, { supernode: 'b' }))];
    const plan = planGangs(view(two, [job('g', { nodeCount: 4, affinityGroupSize: 4 })]));
    expect(plan.place[0].placements.map((p) => p.nodeId)).toEqual(['b0', 'b1', 'b2', 'b3']);
  });
});
