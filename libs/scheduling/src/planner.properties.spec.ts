import type { Capacity, NodeAffinityRule } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NodeLabel, type ClusterView, type NodeView, type PendingJob, type RunningJob } from './cluster-view';
import { planGangs } from './gang-planner';
import { WaitReason, type Plan } from './plan';
import type { PlannerOptions } from './planner-options';
import { at, HOUR, MINUTE, node, T0 } from '@trainyard/testing/scheduling';

// ---------------------------------------------------------------- arbitraries

const POOLS = ['p1', 'p2'] as const;
const OPTIONS: Partial<PlannerOptions> = { minRunTimeMs: 30 * MINUTE };

const arbNode = fc.record({
  pool: fc.constantFrom(...POOLS),
  cpu: fc.integer({ min: 2, max: 16 }),
  gpu: fc.constantFrom(0, 4, 8, 8, 8),
  accel: fc.constantFrom(undefined, undefined, undefined, 'a100', 'h100'),
  supernode: fc.constantFrom(undefined, 'sA', 'sA', 'sB', 'sB', 'sC'),
  zone: fc.constantFrom('x', 'y'),
  schedulable: fc.constantFrom(true, true, true, true, false),
});

const arbRule: fc.Arbitrary<NodeAffinityRule> = fc.record({
  type: fc.constantFrom('affinity', 'anti-affinity'),
  strength: fc.constantFrom('required', 'preferred'),
  labels: fc.constantFrom({ zone: 'x' }, { zone: 'y' }, { zone: ['x', 'y'] }),
});

const arbJob = fc.record({
  pool: fc.constantFrom(...POOLS),
  instances: fc.integer({ min: 1, max: 4 }),
  group: fc.constantFrom(0, 0, 1, 2),
  cpu: fc.integer({ min: 1, max: 6 }),
  gpu: fc.constantFrom(0, 0, 1, 2, 4, 8),
  accel: fc.constantFrom(undefined, undefined, undefined, undefined, 'a100'),
  priority: fc.integer({ min: 1, max: 3 }),
  requeued: fc.constantFrom(false, false, false, true),
  maxRunHours: fc.constantFrom(undefined, 1, 2, 6),
  rules: fc.oneof(fc.constant([]), fc.constant([]), fc.array(arbRule, { maxLength: 2 })),
});

const arbRunning = fc.record({
  nodes: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  cpu: fc.integer({ min: 1, max: 4 }),
  gpu: fc.constantFrom(0, 1, 2, 4, 8),
  priority: fc.integer({ min: 1, max: 2 }),
  preemptible: fc.constantFrom(true, true, false),
  startedMinutesAgo: fc.constantFrom(undefined, 5, 45, 120, 300, 300),
  maxRunHours: fc.constantFrom(undefined, 1, 2, 8),
  whole: fc.constantFrom(false, false, false, true),
  preemptedFor: fc.constantFrom(false, false, false, false, false, true),
});

/** A consistent view: running tasks never over-commit a node, and whole-node tasks are alone. */
const arbView: fc.Arbitrary<ClusterView> = fc
  .tuple(fc.array(arbNode, { minLength: 1, maxLength: 12 }), fc.array(arbRunning, { maxLength: 10 }), fc.array(arbJob, { maxLength: 10 }))
  .map(([ns, rs, js]) => {
    const nodes: NodeView[] = ns.map((n, i) =>
      node(`n${i}`, { pool: n.pool, cpu: n.cpu, gpu: n.gpu, acceleratorType: n.accel, supernode: n.supernode, labels: { zone: n.zone }, schedulable: n.schedulable }),
    );
    const used = new Map<string, Capacity>(nodes.map((n) => [n.id, { ...n.used }]));
    const tasks = new Map<string, number>();
    const wholeOwned = new Set<string>();
    const running: RunningJob[] = [];
    const queue: PendingJob[] = js.map((j, i) => ({
      jobId: `j${i}`,
      priority: j.priority,
      queuedSeq: i + 1,
      pool: j.pool,
      nodeCount: j.group ? j.instances * j.group : j.instances,
      flavor: { cpu: j.cpu, memoryMiB: j.cpu * 512, gpu: j.gpu, ...(j.accel ? { acceleratorType: j.accel } : {}) },
      ...(j.group ? { affinityGroupSize: j.group } : {}),
      ...(j.requeued ? { requeued: true } : {}),
      ...(j.maxRunHours ? { maxRunHours: j.maxRunHours } : {}),
      ...(j.rules.length ? { nodeAffinity: j.rules } : {}),
    }));
    rs.forEach((r, k) => {
      const pool = nodes[r.nodes[0] % nodes.length].pool;
      const flavor = { cpu: r.cpu, memoryMiB: r.cpu * 512, gpu: r.gpu };
      const ids: string[] = [];
      for (const pick of r.nodes) {
        const n = nodes[pick % nodes.length];
        const u = used.get(n.id)!;
        const fitsNode = n.pool === pool && u.cpu + flavor.cpu <= n.capacity.cpu && u.memoryMiB + flavor.memoryMiB <= n.capacity.memoryMiB && u.gpu + flavor.gpu <= n.capacity.gpu;
        if (!fitsNode || wholeOwned.has(n.id) || (r.whole && (tasks.get(n.id) ?? 0) > 0) || (r.whole && ids.includes(n.id))) continue;
        ids.push(n.id);
        used.set(n.id, { ...u, cpu: u.cpu + flavor.cpu, memoryMiB: u.memoryMiB + flavor.memoryMiB, gpu: u.gpu + flavor.gpu });
        tasks.set(n.id, (tasks.get(n.id) ?? 0) + 1);
        if (r.whole) wholeOwned.add(n.id);
      }
      if (ids.length === 0) return;
      const forJob = queue.find((q) => q.pool === pool && q.priority > r.priority);
      running.push({
        jobId: `r${k}`,
        pool,
        priority: r.priority,
        preemptible: r.preemptible,
        flavor,
        nodeIds: ids,
        ...(r.startedMinutesAgo !== undefined ? { startedAt: at(-r.startedMinutesAgo * MINUTE) } : {}),
        ...(r.maxRunHours ? { maxRunHours: r.maxRunHours } : {}),
        ...(r.whole ? { affinityGroupSize: 1 } : {}),
        ...(r.preemptedFor && r.preemptible && forJob ? { preemptedFor: forJob.jobId } : {}),
      });
    });
    return { now: T0, nodes: nodes.map((n) => ({ ...n, used: used.get(n.id)! })), queue, running };
  });

// ---------------------------------------------------------------- helpers

const jobOf = (v: ClusterView, id: string) => v.queue.find((q) => q.jobId === id)!;
const nodeOf = (v: ClusterView, id: string) => v.nodes.find((n) => n.id === id)!;
const matches = (n: NodeView, labels: NodeAffinityRule['labels']) =>
  Object.entries(labels).every(([k, want]) => {
    const have = k === NodeLabel.NodeId ? n.id : n.labels[k];
    return have !== undefined && ([] as string[]).concat(want).includes(have);
  });
const onlyPriorityAtLeast = (v: ClusterView, p: number): ClusterView => ({ ...v, queue: v.queue.filter((q) => q.priority >= p) });
const restrict = (plan: Plan, ids: Set<string>) => ({ place: plan.place.filter((x) => ids.has(x.jobId)), waiting: plan.waiting.filter((w) => ids.has(w.jobId)) });

describe('planner - properties', () => {
  it('never over-commits a node', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        const plan = planGangs(v, OPTIONS);
        const used = new Map(v.nodes.map((n) => [n.id, { ...n.used }]));
        for (const p of plan.place) {
          const f = jobOf(v, p.jobId).flavor;
          for (const t of p.placements) {
            const u = used.get(t.nodeId)!;
            used.set(t.nodeId, { cpu: u.cpu + f.cpu, memoryMiB: u.memoryMiB + f.memoryMiB, gpu: u.gpu + (f.gpu ?? 0), npu: u.npu + (f.npu ?? 0) });
          }
        }
        for (const n of v.nodes) {
          const u = used.get(n.id)!;
          expect(u.cpu <= n.capacity.cpu && u.memoryMiB <= n.capacity.memoryMiB && u.gpu <= n.capacity.gpu && u.npu <= n.capacity.npu).toBe(true);
        }
      }),
    );
  });

  it('places a gang whole or not at all, on schedulable nodes of its pool, and explains every other job once', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        const plan = planGangs(v, OPTIONS);
        for (const p of plan.place) {
          const j = jobOf(v, p.jobId);
          expect(p.placements.map((t) => t.index)).toEqual([...Array(j.nodeCount).keys()]);
          for (const t of p.placements) expect(nodeOf(v, t.nodeId)).toMatchObject({ schedulable: true, pool: j.pool });
        }
        const ids = [...plan.place.map((p) => p.jobId), ...plan.waiting.map((w) => w.jobId)];
        expect(ids.sort()).toEqual(v.queue.map((q) => q.jobId).sort());
        for (const pool of POOLS) {
          const positions = plan.waiting.filter((w) => jobOf(v, w.jobId).pool === pool).map((w) => w.position);
          expect(positions).toEqual(positions.map((_, i) => i + 1));
        }
      }),
    );
  });

  it('puts each affinity group in one supernode, one whole empty node per instance', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        const plan = planGangs(v, OPTIONS);
        const taken = new Map<string, number>();
        for (const p of plan.place) for (const t of p.placements) taken.set(t.nodeId, (taken.get(t.nodeId) ?? 0) + 1);
        const busy = new Set((v.running ?? []).flatMap((r) => r.nodeIds));
        for (const p of plan.place) {
          const n = jobOf(v, p.jobId).affinityGroupSize;
          if (!n) continue;
          for (let g = 0; g < p.placements.length; g += n) {
            const sns = new Set(p.placements.slice(g, g + n).map((t) => nodeOf(v, t.nodeId).labels[NodeLabel.Supernode]));
            expect(sns.size).toBe(1);
            expect([...sns][0]).toBeDefined();
          }
          for (const t of p.placements) {
            expect(taken.get(t.nodeId)).toBe(1);
            expect(busy.has(t.nodeId)).toBe(false);
          }
        }
      }),
    );
  });

  it('honours required affinity, required anti-affinity and the accelerator model', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        for (const p of planGangs(v, OPTIONS).place) {
          const j = jobOf(v, p.jobId);
          for (const t of p.placements) {
            const n = nodeOf(v, t.nodeId);
            for (const r of j.nodeAffinity ?? []) {
              if (r.strength !== 'required') continue;
              expect(matches(n, r.labels)).toBe(r.type === 'affinity');
            }
            if (j.flavor.acceleratorType) expect(n.capacity.acceleratorType).toBe(j.flavor.acceleratorType);
          }
        }
      }),
    );
  });

  it('never lets lower-priority jobs change what happens to a higher-priority one', () => {
    fc.assert(
      fc.property(arbView, fc.integer({ min: 2, max: 3 }), (v, p) => {
        const ids = new Set(v.queue.filter((q) => q.priority >= p).map((q) => q.jobId));
        expect(restrict(planGangs(v, OPTIONS), ids)).toEqual(restrict(planGangs(onlyPriorityAtLeast(v, p), OPTIONS), ids));
      }),
    );
  });

  it('preempts only preemptible, strictly lower-priority jobs past their minimum run time, each once, for a job it leaves waiting', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        const plan = planGangs(v, OPTIONS);
        const victims = plan.preempt.map((p) => p.victimJobId);
        expect(new Set(victims).size).toBe(victims.length);
        for (const { victimJobId, forJobId } of plan.preempt) {
          const victim = v.running!.find((r) => r.jobId === victimJobId)!;
          const by = jobOf(v, forJobId);
          expect(victim.preemptible).toBe(true);
          expect(victim.preemptedFor).toBeUndefined();
          expect(victim.priority).toBeLessThan(by.priority);
          expect(Date.parse(T0) - Date.parse(victim.startedAt!)).toBeGreaterThanOrEqual(OPTIONS.minRunTimeMs!);
          expect(plan.waiting.find((w) => w.jobId === forJobId)?.reason).toBe(WaitReason.PreemptionPending);
        }
      }),
    );
  });

  it('finds a preemption whenever stopping one eligible job would make room and no reservation starts in time', () => {
    const now = Date.parse(T0);
    fc.assert(
      fc.property(arbView, (v) => {
        for (const j of v.queue) {
          const solo: ClusterView = { ...v, queue: [j], running: (v.running ?? []).filter((r) => !r.preemptedFor) };
          const plan = planGangs(solo, OPTIONS);
          const w = plan.waiting[0];
          if (!w || w.reason === WaitReason.NeverFits || w.reason === WaitReason.NoNodesInPool) continue;
          if (w.reason === WaitReason.HoldingReservation && w.reservation.startsAt !== null && Date.parse(w.reservation.startsAt) <= now + 15 * MINUTE) continue;
          const eligible = solo.running!.filter(
            (r) => r.pool === j.pool && r.preemptible && r.priority < j.priority && r.startedAt && now - Date.parse(r.startedAt) >= OPTIONS.minRunTimeMs!,
          );
          for (const c of eligible) {
            const freed = solo.nodes.map((n) => {
              const k = c.nodeIds.filter((id) => id === n.id).length;
              const f = c.flavor;
              return k ? { ...n, used: { cpu: n.used.cpu - k * f.cpu, memoryMiB: n.used.memoryMiB - k * f.memoryMiB, gpu: n.used.gpu - k * (f.gpu ?? 0), npu: n.used.npu } } : n;
            });
            if (planGangs({ ...solo, nodes: freed, running: solo.running!.filter((r) => r !== c) }, OPTIONS).place.length) {
              expect(plan.preempt).toHaveLength(1);
              break;
            }
          }
        }
      }),
    );
  });

  it('leaves every backfill reservation the room it holds when it starts', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        const plan = planGangs(v, OPTIONS);
        const now = Date.parse(T0);
        for (const r of plan.reservations) {
          if (r.kind !== 'backfill' || r.status !== 'active') continue;
          const startsAt = r.startsAt === null ? Number.POSITIVE_INFINITY : Date.parse(r.startsAt);
          const stays = (end: number) => r.startsAt !== null && end > startsAt;
          const holder = jobOf(v, r.jobId);
          for (const held of r.nodes) {
            const n = nodeOf(v, held.nodeId);
            const future = { cpu: 0, memoryMiB: 0, gpu: 0, tasks: 0 };
            const addTask = (f: { cpu: number; memoryMiB: number; gpu?: number }) => {
              future.cpu += f.cpu;
              future.memoryMiB += f.memoryMiB;
              future.gpu += f.gpu ?? 0;
              future.tasks++;
            };
            const explained = { cpu: 0, memoryMiB: 0, gpu: 0 };
            for (const run of v.running ?? []) {
              for (const id of run.nodeIds) {
                if (id !== n.id) continue;
                explained.cpu += run.flavor.cpu;
                explained.memoryMiB += run.flavor.memoryMiB;
                explained.gpu += run.flavor.gpu ?? 0;
                const end = run.preemptedFor ? now : run.startedAt && run.maxRunHours ? Date.parse(run.startedAt) + run.maxRunHours * HOUR : Number.POSITIVE_INFINITY;
                if (stays(end)) addTask(run.flavor);
              }
            }
            const anon = { cpu: n.used.cpu - explained.cpu, memoryMiB: n.used.memoryMiB - explained.memoryMiB, gpu: n.used.gpu - explained.gpu };
            if (anon.cpu + anon.memoryMiB + anon.gpu > 0 && r.startsAt !== null) addTask(anon);
            for (const p of plan.place) {
              const j = jobOf(v, p.jobId);
              const end = j.maxRunHours ? now + j.maxRunHours * HOUR : Number.POSITIVE_INFINITY;
              for (const t of p.placements) if (t.nodeId === n.id && stays(end)) addTask(j.flavor);
            }
            const need = holder.flavor;
            expect(future.cpu + held.instances * need.cpu).toBeLessThanOrEqual(n.capacity.cpu);
            expect(future.memoryMiB + held.instances * need.memoryMiB).toBeLessThanOrEqual(n.capacity.memoryMiB);
            expect(future.gpu + held.instances * (need.gpu ?? 0)).toBeLessThanOrEqual(n.capacity.gpu);
            if (held.wholeNode) expect(future.tasks).toBe(0);
          }
        }
      }),
    );
  });

  it('plans the same with failed attempts replayed or redone', () => {
    fc.assert(
      fc.property(arbView, (v) => {
        // Twins of every job (same shape, later in the queue) are what the replay serves.
        const twins = { ...v, queue: v.queue.flatMap((q) => [q, { ...q, jobId: `${q.jobId}-twin`, queuedSeq: q.queuedSeq + 1000 }]) };
        expect(planGangs(twins, OPTIONS)).toEqual(planGangs(twins, { ...OPTIONS, replayFailures: false }));
      }),
    );
  });

  it('is deterministic and does not depend on the order of its inputs', () => {
    fc.assert(
      fc.property(arbView, fc.integer(), (v, seed) => {
        const shuffle = <T>(xs: T[]) => xs.map((x, i) => [((i + 1) * 2654435761 + seed) % 1000003, x] as const).sort((a, b) => a[0] - b[0]).map((e) => e[1]);
        const again = { ...v, nodes: shuffle(v.nodes), queue: shuffle(v.queue) };
        expect(planGangs(again, OPTIONS)).toEqual(planGangs(v, OPTIONS));
      }),
    );
  });
});
