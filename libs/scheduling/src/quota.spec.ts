import { describe, expect, it } from 'vitest';
import type { ClusterView } from './cluster-view';
import { planGangs } from './gang-planner';
import { WaitCauseKind, WaitReason } from './plan';
import { decayUsage, holdings } from './quota/decay-usage';
import type { ProjectQuota, QuotaPolicy } from './quota/quota-policy';
import { at, HOUR, job, MINUTE, node, running, SchedulerHarness, view } from '@trainyard/testing/scheduling';

const gpus = (n: number, acceleratorType?: string) => ({ flavor: { cpu: 1, memoryMiB: 1024, gpu: n, ...(acceleratorType ? { acceleratorType } : {}) } });
const eightGpuNodes = (n: number) => Array.from({ length: n }, (_, i) => node(`n${i}`, { gpu: 8 }));
const quota = (project: string, gpu: number, more: Partial<ProjectQuota> = {}): ProjectQuota => ({ project, pool: 'default', guaranteed: { gpu }, ...more });
const withQuotas = (v: ClusterView, ...quotas: ProjectQuota[]): ClusterView => ({ ...v, quotas: { quotas } });

describe('quotas - a project within its quota', () => {
  it('waits QUOTA_EXCEEDED past its limit, with the numbers, and blocks no one behind it', () => {
    const v = view(eightGpuNodes(4), [job('over', { project: 'a', ...gpus(8), priority: 3 }), job('b1', { project: 'b', ...gpus(8) })], {
      running: [running('a-run', ['n0'], { project: 'a', ...gpus(8) })],
    });
    const plan = planGangs(withQuotas(v, quota('a', 8), quota('b', 8)));
    expect(plan.waiting).toEqual([
      { jobId: 'over', reason: WaitReason.QuotaExceeded, position: 1, shortfalls: [{ resource: 'gpu', used: 8, requested: 8, guaranteed: 8, limit: 8 }] },
    ]);
    expect(plan.place.map((p) => p.jobId)).toEqual(['b1']);
    expect(plan.reservations).toEqual([]);
  });

  it('a project without a quota in a quota-managed pool may not run there; other pools are not managed', () => {
    const nodes = [...eightGpuNodes(2), node('x', { gpu: 8, pool: 'free' })];
    const plan = planGangs(withQuotas(view(nodes, [job('stranger', { project: 'z', ...gpus(1) }), job('elsewhere', { project: 'z', pool: 'free', ...gpus(8) })]), quota('a', 8)));
    expect(plan.waiting).toEqual([{ jobId: 'stranger', reason: WaitReason.QuotaExceeded, position: 1, shortfalls: [], noQuota: true }]);
    expect(plan.place.map((p) => p.jobId)).toEqual(['elsewhere']);
  });

  it('counts accelerators by model: gpu/<type> limits only that model', () => {
    const nodes = [node('h', { gpu: 8, acceleratorType: 'h100' }), node('l', { gpu: 8, acceleratorType: 'l4' })];
    const q = { project: 'a', pool: 'default', guaranteed: { 'gpu/h100': 4 } } as const;
    const plan = planGangs(withQuotas(view(nodes, [job('h8', { project: 'a', ...gpus(8, 'h100') }), job('l8', { project: 'a', ...gpus(8, 'l4') })]), q));
    expect(plan.place.map((p) => p.jobId)).toEqual(['l8']);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'h8', shortfalls: [{ resource: 'gpu/h100', used: 0, requested: 8, guaranteed: 4, limit: 4 }] });
  });

  it('cpu quotas are in cores', () => {
    const q = { project: 'a', pool: 'default', guaranteed: { cpu: 2.5 } } as const;
    const plan = planGangs(withQuotas(view([node('n', { cpu: 16 })], [job('two', { project: 'a', flavor: { cpu: 2, memoryMiB: 1 } }), job('one', { project: 'a', flavor: { cpu: 1, memoryMiB: 1 } })]), q));
    expect(plan.place.map((p) => p.jobId)).toEqual(['two']);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'one', shortfalls: [{ resource: 'cpu', used: 2, requested: 1, guaranteed: 2.5, limit: 2.5 }] });
  });
});

describe('quotas - cohorts lend idle guaranteed quota', () => {
  const cohort = (gpuA: number, gpuB: number, more: Partial<ProjectQuota> = {}) => [quota('a', gpuA, { cohort: 'lab', ...more }), quota('b', gpuB, { cohort: 'lab' })];

  it('a preemptible job borrows what the other project leaves idle; a non-preemptible one may not', () => {
    const jobs = [job('pinned', { project: 'a', ...gpus(8), nodeCount: 2 }), job('borrower', { project: 'a', ...gpus(8), nodeCount: 2, preemptible: true })];
    const plan = planGangs(withQuotas(view(eightGpuNodes(4), jobs), ...cohort(8, 16)));
    expect(plan.place.map((p) => p.jobId)).toEqual(['borrower']);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'pinned', reason: WaitReason.QuotaExceeded, shortfalls: [], borrowingNeedsPreemptible: true });
  });

  it('borrows only what is idle in the cohort, and never past its own limit', () => {
    const v = view(eightGpuNodes(6), [job('a-big', { project: 'a', ...gpus(8), nodeCount: 3, preemptible: true })], {
      running: [running('b-run', ['n0', 'n1'], { project: 'b', ...gpus(8) })],
    });
    // Cohort: 8 + 24 guaranteed, b holds 16: a may hold up to 16, not 24.
    const plan = planGangs(withQuotas(v, ...cohort(8, 24)));
    expect(plan.waiting[0]).toMatchObject({
      reason: WaitReason.QuotaExceeded,
      shortfalls: [{ resource: 'gpu', used: 0, requested: 24, guaranteed: 8, limit: null, cohort: { name: 'lab', used: 16, guaranteed: 32 } }],
    });
    const limited = planGangs(withQuotas(view(eightGpuNodes(6), [job('a-big', { project: 'a', ...gpus(8), nodeCount: 2, preemptible: true })]), ...cohort(8, 24, { limit: { gpu: 12 } })));
    expect(limited.waiting[0]).toMatchObject({ shortfalls: [{ resource: 'gpu', requested: 16, guaranteed: 8, limit: 12 }] });
  });

  it('the owner reclaims lent quota at once, whatever the borrower’s priority and run time; the victim is marked reclaim', () => {
    const v = view(eightGpuNodes(2), [job('owner', { project: 'b', ...gpus(8), priority: 1 })], {
      running: [
        running('a-own', ['n0'], { project: 'a', ...gpus(8), preemptible: true, priority: 3, startedAt: at(-HOUR) }),
        running('a-lent', ['n1'], { project: 'a', ...gpus(8), preemptible: true, priority: 3, startedAt: at(-MINUTE), maxRunHours: 0.1 }),
      ],
    });
    const plan = planGangs(withQuotas(v, ...cohort(8, 8)), { minRunTimeMs: 10 * MINUTE });
    expect(plan.preempt).toHaveLength(1);
    expect(plan.preempt[0]).toMatchObject({ forJobId: 'owner', kind: 'reclaim' });
    expect(plan.waiting[0]).toMatchObject({ jobId: 'owner', reason: WaitReason.PreemptionPending });
  });

  it('prefers the borrower whose last acknowledged checkpoint is newest (least work lost)', () => {
    const v = view(eightGpuNodes(3), [job('owner', { project: 'b', ...gpus(8) })], {
      running: [
        running('a1', ['n0'], { project: 'a', ...gpus(8), preemptible: true, startedAt: at(-3 * HOUR), checkpointAt: at(-2 * MINUTE) }),
        running('a2', ['n1'], { project: 'a', ...gpus(8), preemptible: true, startedAt: at(-HOUR) }),
        running('a3', ['n2'], { project: 'a', ...gpus(8), preemptible: true, startedAt: at(-2 * HOUR), checkpointAt: at(-30 * MINUTE) }),
      ],
    });
    const plan = planGangs(withQuotas(v, ...cohort(8, 16)));
    expect(plan.preempt).toEqual([{ victimJobId: 'a1', forJobId: 'owner', kind: 'reclaim' }]);
  });

  it('never preempts across projects by priority: a guarantee is not taken by a higher priority', () => {
    const v = view(eightGpuNodes(2), [job('urgent', { project: 'a', ...gpus(8), priority: 3, preemptible: true })], {
      running: [
        running('a-run', ['n0'], { project: 'a', ...gpus(8) }),
        running('b-run', ['n1'], { project: 'b', ...gpus(8), preemptible: true, priority: 1 }),
      ],
    });
    const plan = planGangs(withQuotas(v, ...cohort(8, 8)), { minRunTimeMs: 0 });
    expect(plan.preempt).toEqual([]);
  });

  it('a job over its quota may preempt its own project’s lower-priority jobs', () => {
    const v = view(eightGpuNodes(2), [job('urgent', { project: 'a', ...gpus(8), priority: 3 })], {
      running: [running('a-low', ['n0'], { project: 'a', ...gpus(8), preemptible: true, priority: 1 })],
    });
    const plan = planGangs(withQuotas(v, quota('a', 8)), { minRunTimeMs: 0 });
    expect(plan.preempt).toEqual([{ victimJobId: 'a-low', forJobId: 'urgent' }]);
  });

  it('over passes: lend, reclaim with the hold kept for the owner, then the borrower borrows again once idle', () => {
    const h = new SchedulerHarness(eightGpuNodes(2));
    h.quotas = { quotas: cohort(8, 8) };
    h.submit(job('a1', { project: 'a', ...gpus(8), preemptible: true }));
    expect(h.pass().place.map((p) => p.jobId)).toEqual(['a1']);
    h.advance(MINUTE).submit(job('a2', { project: 'a', ...gpus(8), preemptible: true }));
    expect(h.pass().place.map((p) => p.jobId)).toEqual(['a2']);
    h.advance(MINUTE).submit(job('b1', { project: 'b', ...gpus(8) }));
    const reclaim = h.pass();
    expect(reclaim.preempt).toEqual([{ victimJobId: 'a2', forJobId: 'b1', kind: 'reclaim' }]);
    h.submit(job('a3', { project: 'a', ...gpus(8), preemptible: true }));
    expect(h.advance(MINUTE).pass().place).toEqual([]); // the victim is still stopping
    h.stopPreempted();
    const owner = h.advance(MINUTE).pass();
    expect(owner.place.map((p) => p.jobId)).toEqual(['b1']);
    expect(owner.waiting.map((w) => [w.jobId, w.reason])).toEqual([
      ['a2', WaitReason.QuotaExceeded],
      ['a3', WaitReason.QuotaExceeded],
    ]);
    h.finish('b1');
    expect(h.advance(MINUTE).pass().place.map((p) => p.jobId)).toEqual(['a2']);
  });
});

describe('preemption - checkpoints and cycles', () => {
  const victim = (id: string, node: string, startedAt: string, checkpointAt?: string) =>
    running(id, [node], { ...gpus(8), preemptible: true, startedAt, ...(checkpointAt ? { checkpointAt } : {}) });

  it('without quotas too, the victim is the one that loses the least work since its last checkpoint', () => {
    const busy = [victim('recent-start', 'n0', at(-HOUR)), victim('old-but-saved', 'n1', at(-5 * HOUR), at(-MINUTE))];
    const plan = planGangs(view(eightGpuNodes(2), [job('p3', { ...gpus(8), priority: 3 })], { running: busy }));
    expect(plan.preempt).toEqual([{ victimJobId: 'old-but-saved', forJobId: 'p3' }]);
  });

  it('a job is never the victim of a job it preempted within the window; the stop is reported', () => {
    const busy = [victim('b', 'n0', at(-HOUR))];
    const recentPreemptions = [{ victimJobId: 'a', forJobId: 'b', at: at(-20 * MINUTE) }];
    const plan = planGangs({ ...view(eightGpuNodes(1), [job('a', { ...gpus(8), priority: 3 })], { running: busy }), recentPreemptions });
    expect(plan.preempt).toEqual([]);
    expect(plan.cyclesPrevented).toEqual([{ jobId: 'a', victimJobId: 'b' }]);
    const later = planGangs({ ...view(eightGpuNodes(1), [job('a', { ...gpus(8), priority: 3 })], { running: busy }), recentPreemptions }, { preemptionCycleWindowMs: 10 * MINUTE });
    expect(later.preempt).toEqual([{ victimJobId: 'b', forJobId: 'a' }]);
    expect(later.cyclesPrevented).toBeUndefined();
  });
});

describe('fair share - equal priorities ordered by dominant share', () => {
  it('the project holding the smaller share of the pool goes first, whatever the queue order', () => {
    const v = view(eightGpuNodes(4), [job('a-first', { project: 'a', ...gpus(8) }), job('b-later', { project: 'b', ...gpus(8) })], {
      running: [running('a-run', ['n0', 'n1'], { project: 'a', ...gpus(8) })],
    });
    const q = [quota('a', 32), quota('b', 32)];
    const plan = planGangs(withQuotas({ ...v, nodes: v.nodes.slice(0, 3) }, ...q));
    expect(plan.place.map((p) => p.jobId)).toEqual(['b-later']);
    // Without quotas it is first come, first served.
    expect(planGangs({ ...v, nodes: v.nodes.slice(0, 3) }).place.map((p) => p.jobId)).toEqual(['a-first']);
  });

  it('weights scale the share; decayed past usage counts; priority still comes first', () => {
    const nodes = eightGpuNodes(1);
    const jobs = [job('a', { project: 'a', ...gpus(8) }), job('b', { project: 'b', ...gpus(8) })];
    const pastA = { project: 'a', pool: 'default', gpu: 4 };
    const policy = (weightA: number): QuotaPolicy => ({ quotas: [quota('a', 8, { weight: weightA }), quota('b', 8)], usage: [pastA, { project: 'b', pool: 'default', gpu: 1 }] });
    expect(planGangs({ ...view(nodes, jobs), quotas: policy(1) }).place[0].jobId).toBe('b');
    expect(planGangs({ ...view(nodes, jobs), quotas: policy(8) }).place[0].jobId).toBe('a');
    const urgentA = [job('a', { project: 'a', ...gpus(8), priority: 2 }), jobs[1]];
    expect(planGangs({ ...view(nodes, urgentA), quotas: policy(1) }).place[0].jobId).toBe('a');
  });

  it('decayUsage: what was held one half-life ago counts half', () => {
    const held = holdings([running('r', ['n0', 'n1'], { project: 'a', ...gpus(4) })]);
    expect(held).toEqual([{ project: 'a', pool: 'default', cpu: 2, memoryMiB: 2048, gpu: 8, npu: 0 }]);
    const after = decayUsage([], held, HOUR, HOUR);
    expect(after[0].gpu).toBeCloseTo(4);
    const idle = decayUsage(after, [], HOUR, HOUR);
    expect(idle[0].gpu).toBeCloseTo(2);
    expect(decayUsage(idle, [], 100 * HOUR, HOUR)).toEqual([]);
  });
});

describe('wait reasons - complete', () => {
  it('every reason at once: over quota, short of capacity, affinity excluding nodes; and the start estimate', () => {
    const rule = { type: 'affinity', strength: 'required', labels: { zone: 'x' } } as const;
    const nodes = [node('x0', { gpu: 8, labels: { zone: 'x' } }), node('y0', { gpu: 8, labels: { zone: 'y' } })];
    const v = view(nodes, [job('j', { project: 'a', ...gpus(8), nodeAffinity: [rule] })], {
      running: [running('mine', ['x0'], { project: 'a', ...gpus(8), maxRunHours: 2, startedAt: at(-HOUR) })],
    });
    const plan = planGangs(withQuotas(v, quota('a', 8)), { completeWaitReasons: true });
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.QuotaExceeded, position: 1, estimatedStart: at(HOUR) });
    expect(plan.waiting[0].causes).toEqual([
      { kind: WaitCauseKind.Quota, shortfalls: [{ resource: 'gpu', used: 8, requested: 8, guaranteed: 8, limit: 8 }] },
      { kind: WaitCauseKind.Capacity, deficit: { gpu: 8 }, unplacedInstances: 1 },
      { kind: WaitCauseKind.Affinity, excludedNodes: 1 },
    ]);
  });

  it('the estimate is the later of when capacity and when quota free up', () => {
    const v = view(eightGpuNodes(2), [job('q', { project: 'a', ...gpus(8) })], {
      running: [
        running('b-1', ['n0'], { project: 'b', ...gpus(4), maxRunHours: 3, startedAt: at(-HOUR) }),
        running('a-1', ['n1'], { project: 'a', ...gpus(4), maxRunHours: 1.5, startedAt: at(-30 * MINUTE) }),
        running('b-2', ['n1'], { project: 'b', ...gpus(4), maxRunHours: 4, startedAt: at(-HOUR) }),
      ],
    });
    const plan = planGangs(withQuotas(v, quota('a', 8), quota('b', 16)), { completeWaitReasons: true });
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.QuotaExceeded, estimatedStart: at(2 * HOUR) });
    expect(plan.waiting[0].causes?.map((c) => c.kind)).toEqual([WaitCauseKind.Quota, WaitCauseKind.Capacity]);
    // Quota later than capacity: its own job ends in 1 h, a node is free now.
    const free = planGangs(withQuotas({ ...v, nodes: [...v.nodes, node('n2', { gpu: 8 })] }, quota('a', 8), quota('b', 16)), { completeWaitReasons: true });
    expect(free.waiting[0]).toMatchObject({ reason: WaitReason.QuotaExceeded, estimatedStart: at(HOUR), causes: [{ kind: WaitCauseKind.Quota }] });
  });

  it('held capacity is named; behind a hold the start is not known (null)', () => {
    // `a` holds nothing and weighs 4, so its head goes before `b`'s small job (fair share).
    const v = view(eightGpuNodes(2), [job('small', { project: 'b', ...gpus(4) }), job('head', { project: 'a', ...gpus(8), nodeCount: 2 })], {
      running: [running('b-run', ['n0'], { project: 'b', ...gpus(4), maxRunHours: 3, startedAt: at(-HOUR) })],
    });
    const plan = planGangs(withQuotas(v, quota('a', 16, { weight: 4 }), quota('b', 24)), { completeWaitReasons: true });
    const [head, small] = plan.waiting;
    expect(head).toMatchObject({ jobId: 'head', reason: WaitReason.HoldingReservation, estimatedStart: at(2 * HOUR), causes: [{ kind: WaitCauseKind.Capacity }] });
    expect(small).toMatchObject({ jobId: 'small', reason: WaitReason.BehindInQueue, causes: [{ kind: WaitCauseKind.Reservation, heldFor: 'head' }], estimatedStart: null });
  });

  it('off by default: a plan is exactly as before', () => {
    const plan = planGangs(view(eightGpuNodes(1), [job('a', gpus(8)), job('b', gpus(8))]));
    expect(plan.waiting[0]).toEqual({ jobId: 'b', reason: WaitReason.HoldingReservation, position: 1, reservation: expect.anything(), deficit: { gpu: 8 }, unplacedInstances: 1, filtered: expect.anything(), nodeReasons: expect.anything() });
  });
});
