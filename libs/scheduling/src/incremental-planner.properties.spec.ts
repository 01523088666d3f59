import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { at, MINUTE, node, T0_MS } from '@trainyard/testing/scheduling';
import type { NodeView, PendingJob, RunningJob } from './cluster-view';
import { planGangs } from './gang-planner';
import { IncrementalPlanner } from './incremental-planner';
import { resolvePlannerOptions } from './planner-options';
import { PlanSession } from './planning/plan-session';
import type { PoolState } from './planning/pool-state';
import { StandingPools } from './planning/standing-pools';

// ---------------------------------------------------------------- events

const NODES = 7;
const JOBS = 8;
const OPTIONS = resolvePlannerOptions({ minRunTimeMs: 30 * MINUTE });

const arbShape = fc.record({
  pool: fc.constantFrom('p1', 'p1', 'p2'),
  cpu: fc.constantFrom(4, 8, 8, 16),
  gpu: fc.constantFrom(0, 0, 4, 8),
  supernode: fc.constantFrom(undefined, undefined, 'sA', 'sB'),
  schedulable: fc.constantFrom(true, true, true, false),
});

const arbUsed = fc.record({ cpu: fc.constantFrom<number>(0, 0, 1, 2, 3.5, 6), gpu: fc.constantFrom<number>(0, 0, 1, 4) });

const arbRunning = fc.record({
  nodes: fc.array(fc.integer({ min: 0, max: NODES + 1 }), { minLength: 1, maxLength: 3 }),
  cpu: fc.constantFrom(0.5, 1, 2, 3, 4, 8, 8),
  gpu: fc.constantFrom(0, 0, 1, 2),
  priority: fc.constantFrom(1, 1, 2),
  preemptible: fc.constantFrom(true, true, false),
  startedMinutesAgo: fc.constantFrom(undefined, 5, 45, 300, 300),
  maxRunHours: fc.constantFrom(undefined, undefined, 1, 8),
  whole: fc.constantFrom(false, false, false, true),
  preemptedFor: fc.constantFrom(undefined, undefined, undefined, 'q0', 'q1'),
  checkpointMinutesAgo: fc.constantFrom(undefined, undefined, 1, 20),
});

const arbQueued = fc.record({
  pool: fc.constantFrom('p1', 'p2'),
  nodeCount: fc.integer({ min: 1, max: 3 }),
  cpu: fc.constantFrom(1, 2, 4, 8),
  gpu: fc.constantFrom(0, 0, 1, 4),
  priority: fc.constantFrom(1, 2, 3, 3),
  maxRunHours: fc.constantFrom(undefined, 1),
});

/** One change the standing view sees between passes, or a pass. */
const arbEvent = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('node' as const), i: fc.nat(NODES - 1), shape: arbShape, used: arbUsed }) },
  // Mostly what the running tasks hold there (plus some no job explains), as a live view has it.
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('used' as const), i: fc.nat(NODES - 1), used: arbUsed, explained: fc.constantFrom(true, true, true, false) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove-node' as const), i: fc.nat(NODES - 1) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('running' as const), k: fc.nat(JOBS - 1), r: arbRunning }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove-running' as const), k: fc.nat(JOBS - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pass' as const), minutes: fc.nat(120), queue: fc.array(arbQueued, { maxLength: 5 }) }) },
);
type Event = typeof arbEvent extends fc.Arbitrary<infer E> ? E : never;

/** A cluster first (every node registered, some jobs running on it), then any events. */
const arbHistory = fc
  .tuple(
    fc.array(fc.record({ shape: arbShape, used: arbUsed }), { minLength: NODES, maxLength: NODES }),
    fc.array(arbRunning, { minLength: JOBS / 2, maxLength: JOBS }),
    fc.array(arbEvent, { minLength: 1, maxLength: 40 }),
  )
  .map(([nodes, running, events]): Event[] => [
    ...nodes.map((n, i) => ({ kind: 'node' as const, i, ...n })),
    ...running.map((r, k) => ({ kind: 'running' as const, k, r })),
    ...nodes.map((_, i) => ({ kind: 'used' as const, i, used: { cpu: 0, gpu: 0 }, explained: true })),
    ...events,
  ]);

/** What the events amount to: the nodes and running jobs a from-scratch view holds, in the same order. */
class Model {
  readonly nodes = new Map<string, NodeView>();
  readonly running = new Map<string, RunningJob>();
  private shapes = new Map<string, NodeView>();

  apply(e: Event): { node?: NodeView; removeNode?: string; running?: RunningJob; removeRunning?: string } {
    switch (e.kind) {
      case 'node': {
        const { pool, cpu, gpu, supernode, schedulable } = e.shape;
        const n = node(`n${e.i}`, { pool, cpu, gpu, supernode, schedulable, used: { cpu: e.used.cpu, memoryMiB: e.used.cpu * 1024, gpu: Math.min(gpu, e.used.gpu) } });
        this.shapes.set(n.id, n);
        this.nodes.set(n.id, n);
        return { node: n };
      }
      case 'used': {
        const was = this.nodes.get(`n${e.i}`);
        if (!was) return {};
        const used = { cpu: e.used.cpu, memoryMiB: e.used.cpu * 1024, gpu: e.used.gpu, npu: 0 };
        if (e.explained) {
          used.cpu = used.gpu = used.memoryMiB = 0;
          for (const r of this.running.values()) {
            for (const id of r.nodeIds) {
              if (id !== was.id) continue;
              used.cpu += r.flavor.cpu;
              used.memoryMiB += r.flavor.memoryMiB;
              used.gpu += r.flavor.gpu ?? 0;
            }
          }
        }
        const n = { ...was, used };
        this.nodes.set(n.id, n);
        return { node: n };
      }
      case 'remove-node':
        this.nodes.delete(`n${e.i}`);
        return { removeNode: `n${e.i}` };
      case 'running': {
        const r = e.r;
        const job: RunningJob = {
          jobId: `r${e.k}`,
          pool: 'p1',
          priority: r.priority,
          preemptible: r.preemptible,
          flavor: { cpu: r.cpu, memoryMiB: r.cpu * 1024, gpu: r.gpu },
          // Unknown nodes (n7, n8 are never registered) count for nothing, as in a live view.
          nodeIds: r.nodes.map((i) => `n${i}`),
          ...(r.startedMinutesAgo !== undefined ? { startedAt: at(-r.startedMinutesAgo * MINUTE) } : {}),
          ...(r.maxRunHours ? { maxRunHours: r.maxRunHours } : {}),
          ...(r.whole ? { affinityGroupSize: 1 } : {}),
          ...(r.preemptedFor ? { preemptedFor: r.preemptedFor } : {}),
          ...(r.checkpointMinutesAgo !== undefined ? { checkpointAt: at(-r.checkpointMinutesAgo * MINUTE) } : {}),
        };
        this.running.delete(job.jobId);
        this.running.set(job.jobId, job);
        return { running: job };
      }
      case 'remove-running':
        this.running.delete(`r${e.k}`);
        return { removeRunning: `r${e.k}` };
      case 'pass':
        return {};
    }
  }
}

const queueOf = (e: Extract<Event, { kind: 'pass' }>): PendingJob[] =>
  e.queue.map((q, i) => ({
    jobId: `q${i}`,
    priority: q.priority,
    queuedSeq: i + 1,
    pool: q.pool,
    nodeCount: q.nodeCount,
    flavor: { cpu: q.cpu, memoryMiB: q.cpu * 1024, gpu: q.gpu },
    ...(q.maxRunHours ? { maxRunHours: q.maxRunHours } : {}),
  }));

// ---------------------------------------------------------------- comparing pools

const plain = (xs: ArrayLike<number>) => Array.from(xs, (x) => x + 0);

/** Everything a pass reads of the pools (a release group's order means nothing, so it is sorted). */
function snapshot(pools: Map<string, PoolState>) {
  return [...pools]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([name, s]) => {
      const p = s.index;
      return {
        name,
        ids: [...p.ids],
        schedulable: [...p.schedulable],
        free: [plain(p.freeCpu), plain(p.freeMem), plain(p.freeGpu), plain(p.freeNpu)],
        spare: [plain(p.spareCpu), plain(p.spareMem), plain(p.spareGpu), plain(p.spareNpu)],
        tasks: [...p.tasks],
        whole: [...p.whole],
        holdOf: [...p.holdOf],
        holds: p.holds.length,
        levels: p.levels.map((l) => [...l.words]),
        levelCount: [...p.levelCount],
        empty: [...p.empty.words],
        cpuAtLeast: p.cpuAtLeast.map((b) => [...b.words]),
        supernodeEmpty: [...p.supernodeEmpty],
        byEmpty: p.supernodesByEmpty.map((b) => [...b.words]),
        totals: { cpu: p.totals.cpu + 0, memoryMiB: p.totals.memoryMiB + 0, gpu: p.totals.gpu + 0, npu: p.totals.npu + 0 },
        schedulableCount: s.schedulable,
        running: s.running.map((e) => ({ ...e, slots: [...e.slots] })),
        preempting: [...s.preempting.keys()].map((e) => e.jobId).sort(),
        releases: Array.from({ length: s.releases.length }, (_, g) => ({
          end: s.releases.endOf(g),
          tasks: s.releases
            .group(g)
            .map((t) => JSON.stringify(t))
            .sort(),
        })),
        lowestVictim: s.lowestVictimPriority(),
      };
    });
}

const nowOf = (minutes: number) => T0_MS + minutes * MINUTE;

// ---------------------------------------------------------------- properties

describe('standing pools and the incremental planner — properties', () => {
  it('after any sequence of node and job changes and passes, the standing pools equal pools built from scratch', () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(120), (events, endMinutes) => {
        const model = new Model();
        const standing = new StandingPools(OPTIONS.stack, OPTIONS.maxNodeReasons);
        for (const e of events) {
          const c = model.apply(e);
          if (c.node) standing.setNode(c.node);
          if (c.removeNode) standing.removeNode(c.removeNode);
          if (c.running) standing.setRunning(c.running);
          if (c.removeRunning) standing.removeRunning(c.removeRunning);
          if (e.kind === 'pass') {
            // A pass places, holds and preempts on the pools; its end undoes all of it.
            const now = nowOf(e.minutes);
            const pools = standing.beginPass(now);
            new PlanSession({ now: new Date(now).toISOString(), nodes: [], queue: queueOf(e), running: [] }, OPTIONS, pools).plan();
            standing.endPass();
          }
        }
        const now = nowOf(endMinutes);
        const view = { now: new Date(now).toISOString(), nodes: [...model.nodes.values()], queue: [], running: [...model.running.values()] };
        const incremental = snapshot(standing.beginPass(now));
        const fresh = snapshot(StandingPools.of(view, OPTIONS.stack, OPTIONS.maxNodeReasons).beginPass(now));
        expect(incremental).toEqual(fresh);
      }),
      { numRuns: Number(process.env.IRUNS ?? 300) },
    );
  });

  it('every pass plans what planGangs plans on the equivalent snapshot, and leaves the planner as it found it', () => {
    const seen = { place: 0, hold: 0 };
    fc.assert(
      fc.property(arbHistory, (events) => {
        const model = new Model();
        const planner = new IncrementalPlanner(OPTIONS);
        for (const e of events) {
          const c = model.apply(e);
          if (c.node) planner.setNode(c.node);
          if (c.removeNode) planner.removeNode(c.removeNode);
          if (c.running) planner.setRunning(c.running);
          if (c.removeRunning) planner.removeRunning(c.removeRunning);
          if (e.kind !== 'pass') continue;
          const pass = { now: new Date(nowOf(e.minutes)).toISOString(), queue: queueOf(e) };
          const view = { ...pass, nodes: [...model.nodes.values()], running: [...model.running.values()] };
          expect(planner.view(pass)).toEqual(view);
          const plan = planner.plan(pass);
          expect(plan).toEqual(planGangs(view, OPTIONS));
          seen.place += plan.place.length;
          seen.hold += plan.reservations.length;
          // The same pass again decides the same: the first one changed nothing the planner keeps.
          expect(planner.plan(pass)).toEqual(plan);
        }
      }),
      { numRuns: Number(process.env.IRUNS ?? 300) },
    );
    // The events reach the decisions a pass undoes (preemptions are rarer: the next test has one for sure).
    expect(seen.place).toBeGreaterThan(0);
    expect(seen.hold).toBeGreaterThan(0);
  });

  it('a pass that preempts leaves the victim as it was: the next pass preempts it again, as a rebuild does', () => {
    const planner = new IncrementalPlanner(OPTIONS);
    const full = { ...node('n0', { pool: 'p1', cpu: 8 }), used: { cpu: 8, memoryMiB: 8192, gpu: 0, npu: 0 } };
    const victim: RunningJob = { jobId: 'low', pool: 'p1', priority: 1, preemptible: true, startedAt: at(-2 * 60 * MINUTE), flavor: { cpu: 8, memoryMiB: 8192, gpu: 0 }, nodeIds: ['n0'] };
    planner.setNode(full);
    planner.setRunning(victim);
    const pass = { now: at(0), queue: [{ jobId: 'high', priority: 3, queuedSeq: 1, pool: 'p1', nodeCount: 1, flavor: { cpu: 8, memoryMiB: 8192, gpu: 0 } }] };
    const first = planner.plan(pass);
    expect(first.preempt).toEqual([{ victimJobId: 'low', forJobId: 'high' }]);
    expect(planner.plan(pass)).toEqual(first);
    expect(first).toEqual(planGangs({ ...pass, nodes: [full], running: [victim] }, OPTIONS));
  });

  it('changes during a pass are refused', () => {
    const standing = new StandingPools(OPTIONS.stack, OPTIONS.maxNodeReasons);
    standing.setNode(node('n0', { pool: 'p1' }));
    standing.beginPass(T0_MS);
    expect(() => standing.setNode(node('n1', { pool: 'p1' }))).toThrow(/between passes/);
    standing.endPass();
    standing.setNode(node('n1', { pool: 'p1' }));
    expect(snapshot(standing.beginPass(T0_MS))[0].ids).toEqual(['n0', 'n1']);
  });
});
