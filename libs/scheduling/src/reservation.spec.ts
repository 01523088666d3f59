import { describe, expect, it } from 'vitest';
import { planGangs } from './gang-planner';
import { WaitReason } from './plan';
import { at, HOUR, job, MINUTE, node, running, T0, view, SchedulerHarness } from '@trainyard/testing/scheduling';

const gpus = (n: number) => ({ flavor: { cpu: 1, memoryMiB: 1024, gpu: n } });
const startedHoursAgo = (h: number) => at(-h * HOUR);

/**
 * a: 8 GPUs, busy until T0+1h; b: busy until T0+5h; c: 4 of 8 busy until T0+2h; d: free.
 * A head job of 2 × 8 GPUs fits at T0+1h on {a, d}.
 */
function cluster() {
  const nodes = ['a', 'b', 'c', 'd'].map((id) => node(id, { gpu: 8 }));
  const busy = [
    running('r-a', ['a'], { ...gpus(8), maxRunHours: 2, startedAt: startedHoursAgo(1) }),
    running('r-b', ['b'], { ...gpus(8), maxRunHours: 6, startedAt: startedHoursAgo(1) }),
    running('r-c', ['c'], { ...gpus(4), maxRunHours: 3, startedAt: startedHoursAgo(1) }),
  ];
  return { nodes, busy };
}

describe('reservations - the head of a pool', () => {
  it('holds the nodes that free first for the head job, and tells it when it should start', () => {
    const { nodes, busy } = cluster();
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) })], { running: busy }));
    expect(plan.place).toEqual([]);
    expect(plan.reservations).toEqual([
      {
        jobId: 'head',
        kind: 'backfill',
        status: 'active',
        pool: 'default',
        since: T0,
        expiresAt: at(15 * MINUTE),
        startsAt: at(HOUR),
        nodes: [
          { nodeId: 'a', instances: 1, wholeNode: false },
          { nodeId: 'd', instances: 1, wholeNode: false },
        ],
      },
    ]);
    expect(plan.waiting[0]).toMatchObject({ reason: WaitReason.HoldingReservation, position: 1, reservation: { kind: 'backfill', startsAt: at(HOUR), nodes: 2 }, unplacedInstances: 1 });
  });

  it('lets smaller jobs backfill only onto capacity the reservation does not need', () => {
    const { nodes, busy } = cluster();
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) }), job('fits-c', gpus(4)), job('wants-d', gpus(8))], { running: busy }));
    expect(plan.place.map((p) => [p.jobId, p.placements[0].nodeId])).toEqual([['fits-c', 'c']]);
    expect(plan.waiting.find((w) => w.jobId === 'wants-d')).toMatchObject({ reason: WaitReason.BehindInQueue, blockedBy: 'head', position: 2 });
  });

  it('lets a job that ends before the reservation starts use the held capacity', () => {
    const { nodes, busy } = cluster();
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) }), job('long', { ...gpus(8), maxRunHours: 2 }), job('short', { ...gpus(8), maxRunHours: 1 })], { running: busy }));
    expect(plan.place.map((p) => [p.jobId, p.placements[0].nodeId])).toEqual([['short', 'd']]);
    expect(plan.waiting.find((w) => w.jobId === 'long')?.reason).toBe(WaitReason.BehindInQueue);
  });

  it('leaves backfill the spare of a held node: what remains once the head is there', () => {
    const nodes = [node('a', { gpu: 8 })];
    const busy = [running('r', ['a'], { ...gpus(4), maxRunHours: 2, startedAt: startedHoursAgo(1) })];
    const plan = planGangs(view(nodes, [job('head', gpus(6)), job('two', gpus(2)), job('two-more', gpus(2))], { running: busy }));
    expect(plan.place.map((p) => p.jobId)).toEqual(['two']);
    expect(plan.waiting.map((w) => [w.jobId, w.reason])).toEqual([
      ['head', WaitReason.HoldingReservation],
      ['two-more', WaitReason.BehindInQueue],
    ]);
  });

  it('holds even when the end of what it waits for is unknown (startsAt null): the hold is time-bounded', () => {
    const nodes = [node('a', { gpu: 8 }), node('b', { gpu: 8 })];
    const plan = planGangs(view(nodes, [job('head', { nodeCount: 2, ...gpus(8) }), job('small', gpus(1))], { running: [running('r', ['a'], gpus(8))] }));
    expect(plan.reservations[0]).toMatchObject({ jobId: 'head', startsAt: null, expiresAt: at(15 * MINUTE) });
    expect(plan.waiting.find((w) => w.jobId === 'small')).toMatchObject({ reason: WaitReason.BehindInQueue, blockedBy: 'head' });
  });

  it('gives the reservation to the first job that cannot be placed, not to one that never fits', () => {
    const nodes = [node('a', { gpu: 8 })];
    const plan = planGangs(view(nodes, [job('huge', gpus(16)), job('head', gpus(8)), job('next', gpus(8))], { running: [running('r', ['a'], gpus(1))] }));
    expect(plan.reservations.map((r) => r.jobId)).toEqual(['head']);
    // `next` does not fit a's 7 free GPUs either: short of capacity, whatever the hold.
    expect(plan.waiting.map((w) => w.reason)).toEqual([WaitReason.NeverFits, WaitReason.HoldingReservation, WaitReason.InsufficientResources]);
  });

  it('reserves per pool', () => {
    const nodes = [node('a', { gpu: 8, pool: 'p' }), node('b', { gpu: 8, pool: 'q' })];
    const busy = [running('ra', ['a'], { ...gpus(8), pool: 'p' }), running('rb', ['b'], { ...gpus(8), pool: 'q' })];
    const plan = planGangs(view(nodes, [job('p-head', { ...gpus(8), pool: 'p' }), job('q-head', { ...gpus(8), pool: 'q' })], { running: busy }));
    expect(plan.reservations.map((r) => [r.jobId, r.pool])).toEqual([
      ['p-head', 'p'],
      ['q-head', 'q'],
    ]);
    expect(plan.waiting.map((w) => w.position)).toEqual([1, 1]);
  });
});

describe('reservations - expiry', () => {
  const ttl = { reservationTtlMs: 10 * MINUTE, reservationBackoffMs: 5 * MINUTE };

  it('keeps the clock of a hold across passes, lapses it after the TTL, backs off, then holds again', () => {
    const h = new SchedulerHarness([node('a', { gpu: 8 }), node('b', { gpu: 8 })], ttl);
    h.start(running('r', ['a'], gpus(8)));
    h.submit(job('head', { nodeCount: 2, ...gpus(8) }), job('small', gpus(8)));

    let plan = h.pass();
    expect(plan.reservations[0]).toMatchObject({ jobId: 'head', status: 'active', since: T0, expiresAt: at(10 * MINUTE) });
    expect(plan.place).toEqual([]);

    h.advance(9 * MINUTE);
    plan = h.pass();
    expect(plan.reservations[0]).toMatchObject({ status: 'active', since: T0 });
    expect(plan.place).toEqual([]);

    // Lapsed: the head holds nothing for the back-off, so the small job may use b meanwhile.
    h.advance(1 * MINUTE);
    plan = h.pass();
    expect(plan.reservations[0]).toMatchObject({ jobId: 'head', status: 'lapsed', retryAt: at(15 * MINUTE), nodes: [] });
    expect(plan.waiting[0]).toMatchObject({ jobId: 'head', reason: WaitReason.InsufficientResources, reservationRetryAt: at(15 * MINUTE) });
    expect(plan.place.map((p) => p.jobId)).toEqual(['small']);

    h.finish('small').submit(job('late', gpus(8)));
    h.advance(5 * MINUTE);
    plan = h.pass();
    expect(plan.reservations[0]).toMatchObject({ jobId: 'head', status: 'active', since: at(15 * MINUTE) });
    expect(plan.waiting.find((w) => w.jobId === 'late')?.reason).toBe(WaitReason.BehindInQueue);
  });

  it('places the head as soon as the capacity it waits for frees, and forgets its hold', () => {
    const h = new SchedulerHarness([node('a', { gpu: 8 }), node('b', { gpu: 8 })], ttl);
    h.start(running('r', ['a'], gpus(8)));
    h.submit(job('head', { nodeCount: 2, ...gpus(8) }));
    h.pass();
    h.finish('r').advance(MINUTE);
    const plan = h.pass();
    expect(plan.place.map((p) => p.jobId)).toEqual(['head']);
    expect(plan.reservations).toEqual([]);
  });

  it('moves the reservation to a higher-priority job that arrives blocked', () => {
    const h = new SchedulerHarness([node('a', { gpu: 8 }), node('b', { gpu: 8 })], ttl);
    h.start(running('r', ['a'], gpus(8)));
    h.submit(job('low', { nodeCount: 2, ...gpus(8) }));
    h.pass();
    h.submit(job('high', { nodeCount: 2, ...gpus(8), priority: 3 }));
    const plan = h.pass();
    expect(plan.reservations.map((r) => r.jobId)).toEqual(['high']);
    expect(plan.waiting.map((w) => [w.jobId, w.position])).toEqual([
      ['high', 1],
      ['low', 2],
    ]);
  });
});
