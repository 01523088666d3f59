import type { NodeAffinityRule } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { admissionCheck } from './admission-check';
import { FilterReason } from './feasibility/filter-reason';
import { planGangs } from './gang-planner';
import { NeverFitsCause, WaitReason } from './plan';
import { job, node, view } from '@trainyard/testing/scheduling';

const rule = (type: NodeAffinityRule['type'], strength: NodeAffinityRule['strength'], labels: NodeAffinityRule['labels']): NodeAffinityRule => ({ type, strength, labels });
const zoned = () => [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b', disk: 'hdd' } }), node('b2', { labels: { zone: 'b' } })];
const placedOn = (plan: ReturnType<typeof planGangs>, jobId: string) => plan.place.find((p) => p.jobId === jobId)?.placements.map((p) => p.nodeId);

describe('node affinity - required (严格部署 / 禁止部署)', () => {
  it('places every instance on matching nodes only', () => {
    const plan = planGangs(view(zoned(), [job('j', { nodeCount: 2, flavor: { cpu: 6 }, nodeAffinity: [rule('affinity', 'required', { zone: 'b' })] })]));
    expect(placedOn(plan, 'j')).toEqual(['b1', 'b2']);
  });

  it('never places an instance on a node a required anti-affinity rule matches', () => {
    const plan = planGangs(view(zoned(), [job('j', { nodeCount: 3, flavor: { cpu: 6 }, nodeAffinity: [rule('anti-affinity', 'required', { zone: 'a' })] })]));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.GangTooLarge, capacityInstances: 2, filtered: { REQUIRED_ANTI_AFFINITY_MATCHED: 2 } });
  });

  it('is not scheduled at all when no node matches ("否则不执行调度"), and admission says so', () => {
    const j = job('j', { nodeAffinity: [rule('affinity', 'required', { zone: 'c' })] });
    expect(planGangs(view(zoned(), [j])).waiting[0]).toMatchObject({ reason: WaitReason.NeverFits, cause: NeverFitsCause.NoEligibleNodes, filtered: { REQUIRED_AFFINITY_UNMET: 4 } });
    expect(admissionCheck(j, zoned())).toMatchObject({ ok: false, cause: NeverFitsCause.NoEligibleNodes });
  });

  it('matches every key of a rule, any of a value list, and names nodes by trainyard.io/node-id', () => {
    const both = job('both', { nodeAffinity: [rule('affinity', 'required', { zone: 'b', disk: 'hdd' })] });
    expect(placedOn(planGangs(view(zoned(), [both])), 'both')).toEqual(['b1']);
    const named = job('named', { nodeCount: 2, flavor: { cpu: 8 }, nodeAffinity: [rule('affinity', 'required', { 'trainyard.io/node-id': ['a2', 'b2'] })] });
    expect(placedOn(planGangs(view(zoned(), [named])), 'named')).toEqual(['a2', 'b2']);
  });

  it('waits, rather than breaking a rule, when the matching nodes are full', () => {
    const nodes = zoned().map((n) => (n.labels.zone === 'b' ? { ...n, used: { cpu: 8, memoryMiB: 0, gpu: 0, npu: 0 } } : n));
    const plan = planGangs(view(nodes, [job('j', { nodeAffinity: [rule('affinity', 'required', { zone: 'b' })] })]));
    expect(plan.place).toEqual([]);
    expect(plan.waiting[0].filtered).toMatchObject({ [FilterReason.RequiredAffinityUnmet]: 2 });
  });
});

describe('node affinity - preferred (尽量部署 / 避免部署)', () => {
  it('prefers matching nodes over a better fit', () => {
    const nodes = [node('tight', { cpu: 2 }), node('roomy', { cpu: 16, labels: { ssd: 'yes' } })];
    const plan = planGangs(view(nodes, [job('j', { flavor: { cpu: 2 }, nodeAffinity: [rule('affinity', 'preferred', { ssd: 'yes' })] })]));
    expect(placedOn(plan, 'j')).toEqual(['roomy']);
  });

  it('falls back to other nodes when the preferred ones are full', () => {
    const plan = planGangs(view(zoned(), [job('j', { nodeCount: 3, flavor: { cpu: 8 }, nodeAffinity: [rule('affinity', 'preferred', { zone: 'b' })] })]));
    expect(placedOn(plan, 'j')).toEqual(['b1', 'b2', 'a1']);
  });

  it('uses avoided nodes last', () => {
    const plan = planGangs(view(zoned(), [job('j', { nodeCount: 3, flavor: { cpu: 8 }, nodeAffinity: [rule('anti-affinity', 'preferred', { zone: 'a' })] })]));
    expect(placedOn(plan, 'j')).toEqual(['b1', 'b2', 'a1']);
  });

  it('adds preferences up: two matched preferences beat one', () => {
    const rules = [rule('affinity', 'preferred', { zone: 'b' }), rule('affinity', 'preferred', { disk: 'hdd' }), rule('anti-affinity', 'preferred', { zone: 'a' })];
    const plan = planGangs(view(zoned(), [job('j', { flavor: { cpu: 8 }, nodeAffinity: rules })]));
    expect(placedOn(plan, 'j')).toEqual(['b1']);
  });

  it('orders the nodes of supernode groups by preference too', () => {
    const nodes = [0, 1, 2, 3].map((i) => node(`s${i}`, { supernode: 's', labels: i >= 2 ? { ssd: 'yes' } : {} }));
    const plan = planGangs(view(nodes, [job('g', { nodeCount: 2, affinityGroupSize: 2, nodeAffinity: [rule('affinity', 'preferred', { ssd: 'yes' })] })]));
    expect(placedOn(plan, 'g')).toEqual(['s2', 's3']);
  });
});
