import { describe, expect, it } from 'vitest';
import { planGangs } from './gang-planner';
import { WaitReason } from './plan';
import { at, HOUR, job, MINUTE, node, running, view, SchedulerHarness } from '@trainyard/testing/scheduling';

const gpus = (n: number) => ({ flavor: { cpu: 1, memoryMiB: 1024, gpu: n } });
const ago = (ms: number) => at(-ms);
const victim = (id: string, nodeIds: string[], priority: number, startedMsAgo: number, n = 8) =>
  running(id, nodeIds, { ...gpus(n), priority, preemptible: true, startedAt: ago(startedMsAgo) });

describe('preemption - who is chosen', () => {
  it('stops the most recently started job of the lowest priority, and holds what it frees', () => {
    const nodes = ['a', 'b', 'c'].map((id) => node(id, { gpu: 8 }));
    const busy = [victim('old-p1', ['a'], 1, 3 * HOUR), victim('new-p1', ['b'], 1, HOUR), victim('new-p2', ['c'], 2, 30 * MINUTE)];
    const plan = planGangs(view(nodes, [job('urgent', { ...gpus(8), priority: 3 })], { running: busy }));
    expect(plan.preempt).toEqual([{ victimJobId: 'new-p1', forJobId: 'urgent' }]);
    expect(plan.waiting[0]).toMatchObject({ jobId: 'urgent', reason: WaitReason.PreemptionPending, victims: ['new-p1'] });
    expect(plan.reservations[0]).toMatchObject({ jobId: 'urgent', kind: 'preemption', status: 'active', nodes: [{ nodeId: 'b', instances: 1 }] });
  });

  it('prefers fewer victims over lower priority or more recent ones', () => {
    const nodes = ['a', 'b'].map((id) => node(id, { gpu: 8 }));
    const busy = [victim('big-p2', ['a'], 2, 5 * HOUR), victim('small-1', ['b'], 1, HOUR, 4), victim('small-2', ['b'], 1, HOUR, 4)];
    const plan = planGangs(view(nodes, [job('urgent', { ...gpus(8), priority: 3 })], { running: busy }));
    expect(plan.preempt.map((p) => p.victimJobId)).toEqual(['big-p2']);
  });

  it('takes as many victims as a gang needs, and no more', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id, { gpu: 8 }));
    const busy = [victim('v1', ['a'], 1, 4 * HOUR), victim('v2', ['b'], 1, 3 * HOUR), victim('v3', ['c'], 1, 2 * HOUR), victim('v4', ['d'], 1, HOUR)];
    const plan = planGangs(view(nodes, [job('gang', { nodeCount: 2, ...gpus(8), priority: 2 })], { running: busy }));
    expect(plan.preempt.map((p) => p.victimJobId).sort()).toEqual(['v3', 'v4']);
    expect(plan.reservations[0].nodes.map((n) => n.nodeId).sort()).toEqual(['c', 'd']);
  });

  it('never evicts a non-preemptible job, one of equal or higher priority, or one inside its minimum run time', () => {
    const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id, { gpu: 8 }));
    const busy = [
      running('pinned', ['a'], { ...gpus(8), priority: 1, preemptible: false, startedAt: ago(HOUR) }),
      victim('peer', ['b'], 2, HOUR),
      victim('fresh', ['c'], 1, 5 * MINUTE),
      running('not-started', ['d'], { ...gpus(8), priority: 1, preemptible: true, startedAt: undefined }),
    ];
    const plan = planGangs(view(nodes, [job('p2', { ...gpus(8), priority: 2 })], { running: busy }), { minRunTimeMs: 10 * MINUTE });
    expect(plan.preempt).toEqual([]);
    expect(plan.waiting[0].reason).toBe(WaitReason.HoldingReservation);
  });

  it('does not preempt when the reservation will start before the hold would expire', () => {
    const nodes = [node('a', { gpu: 8 }), node('b', { gpu: 8 })];
    const busy = [running('ending', ['a'], { ...gpus(8), maxRunHours: 1, startedAt: ago(HOUR - 5 * MINUTE) }), victim('v', ['b'], 1, HOUR)];
    const plan = planGangs(view(nodes, [job('p3', { ...gpus(8), priority: 3 })], { running: busy }));
    expect(plan.preempt).toEqual([]);
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.HoldingReservation, reservation: { startsAt: at(5 * MINUTE) } });
  });

  it('preempts only victims on nodes the job may use', () => {
    const nodes = [node('a', { gpu: 8, labels: { zone: 'x' } }), node('b', { gpu: 8, labels: { zone: 'y' } })];
    const busy = [victim('in-x', ['a'], 1, 2 * HOUR), victim('in-y', ['b'], 1, HOUR)];
    const rule = { type: 'affinity', strength: 'required', labels: { zone: 'x' } } as const;
    const plan = planGangs(view(nodes, [job('p2', { ...gpus(8), priority: 2, nodeAffinity: [rule] })], { running: busy }));
    expect(plan.preempt.map((p) => p.victimJobId)).toEqual(['in-x']);
  });

  it('gives two preemptors different victims', () => {
    const nodes = ['a', 'b'].map((id) => node(id, { gpu: 8 }));
    const busy = [victim('v1', ['a'], 1, 2 * HOUR), victim('v2', ['b'], 1, HOUR)];
    const plan = planGangs(view(nodes, [job('p3', { ...gpus(8), priority: 3 }), job('p2', { ...gpus(8), priority: 2 })], { running: busy }));
    expect(plan.preempt).toEqual([
      { victimJobId: 'v2', forJobId: 'p3' },
      { victimJobId: 'v1', forJobId: 'p2' },
    ]);
  });
});

describe('preemption - over passes', () => {
  it('keeps the freed capacity for the preemptor until it is placed; the victim goes back to the queue', () => {
    const h = new SchedulerHarness([node('a', { gpu: 8 })], { minRunTimeMs: 0 });
    h.start(victim('v', ['a'], 1, HOUR));
    h.submit(job('p3', { ...gpus(8), priority: 3 }));
    expect(h.pass().preempt).toEqual([{ victimJobId: 'v', forJobId: 'p3' }]);

    // The victim is still stopping: nothing new is chosen, and a job behind cannot take the node.
    h.submit(job('small', { ...gpus(1), priority: 3 }));
    h.advance(MINUTE);
    let plan = h.pass();
    expect(plan.preempt).toEqual([]);
    expect(plan.waiting.map((w) => [w.jobId, w.reason])).toEqual([
      ['p3', WaitReason.PreemptionPending],
      ['small', WaitReason.InsufficientResources],
    ]);

    h.stopPreempted().advance(MINUTE);
    plan = h.pass();
    expect(plan.place.map((p) => p.jobId)).toEqual(['p3']);
    expect(plan.waiting.map((w) => w.jobId)).toEqual(['small', 'v']);
    expect(h.queue.get('v')).toMatchObject({ requeued: true });
  });
});
