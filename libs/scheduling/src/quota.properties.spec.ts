import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PendingJob } from './cluster-view';
import { planGangs } from './gang-planner';
import { WaitReason } from './plan';
import { decayUsage, holdings } from './quota/decay-usage';
import type { PastUsage, ProjectQuota } from './quota/quota-policy';
import { HOUR, MINUTE, node, running, SchedulerHarness, view } from '@trainyard/testing/scheduling';

const STEP = MINUTE;
const gpuJob = (jobId: string, project: string, nodeCount: number, o: { preemptible: boolean; steps: number; priority?: number }): PendingJob => ({
  jobId,
  project,
  priority: o.priority ?? 1,
  queuedSeq: 0,
  pool: 'default',
  flavor: { cpu: 8, memoryMiB: 8192, gpu: 8 },
  nodeCount,
  preemptible: o.preemptible,
  maxRunHours: (o.steps * STEP) / HOUR,
});

/** GPUs each project holds now (every task of every running job, being preempted or not). */
function heldGpus(h: SchedulerHarness): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of h.running.values()) out.set(r.project ?? 'default', (out.get(r.project ?? 'default') ?? 0) + (r.flavor.gpu ?? 0) * r.nodeIds.length);
  return out;
}

/** Ends every running job whose `maxRunHours` has passed (what the service's auto stop does). */
function finishDue(h: SchedulerHarness): void {
  for (const r of [...h.running.values()]) {
    if (r.preemptedFor || !r.startedAt || r.maxRunHours === undefined) continue;
    if (Date.parse(r.startedAt) + r.maxRunHours * HOUR <= h.now) h.finish(r.jobId);
  }
}

// QRUNS / FRUNS: more runs of the first two properties, for a deeper search than the suite's default.
describe('quotas - properties', () => {
  it('a quota is never exceeded except by borrowing idle cohort quota, and what is borrowed is reclaimed within two passes of its owner asking', () => {
    const arb = fc.record({
      nodes: fc.integer({ min: 2, max: 6 }),
      // Guarantees in whole nodes (8 GPUs); their sum never exceeds the pool.
      shares: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 3 }),
      limits: fc.array(fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }), { minLength: 3, maxLength: 3 }),
      cohort: fc.boolean(),
      script: fc.array(
        fc.array(
          fc.record({
            project: fc.integer({ min: 0, max: 2 }),
            nodeCount: fc.integer({ min: 1, max: 2 }),
            preemptible: fc.boolean(),
            steps: fc.integer({ min: 1, max: 12 }),
            priority: fc.integer({ min: 1, max: 3 }),
          }),
          { maxLength: 3 },
        ),
        { minLength: 5, maxLength: 40 },
      ),
    });
    fc.assert(
      fc.property(arb, ({ nodes, shares, limits, cohort, script }) => {
        let left = nodes;
        const guaranteed = shares.map((s) => {
          const g = Math.min(s, left);
          left -= g;
          return g * 8;
        });
        const projects = guaranteed.map((_, i) => `p${i}`);
        const quotas: ProjectQuota[] = projects.map((project, i) => ({
          project,
          pool: 'default',
          guaranteed: { gpu: guaranteed[i] },
          ...(limits[i] !== undefined ? { limit: { gpu: Math.max(guaranteed[i], limits[i]! * 8) } } : {}),
          ...(cohort ? { cohort: 'c' } : {}),
        }));
        const limitOf = (i: number) => quotas[i].limit?.gpu ?? (cohort ? Number.POSITIVE_INFINITY : guaranteed[i]);
        const h = new SchedulerHarness(
          Array.from({ length: nodes }, (_, i) => node(`n${i}`, { gpu: 8, cpu: 64, memoryMiB: 65536 })),
          { minRunTimeMs: 0, preemptionCycleWindowMs: 0 },
        );
        h.quotas = { quotas };
        const waitedWithinGuarantee = new Map<string, number>();
        let n = 0;
        for (const submits of script) {
          h.advance(STEP);
          finishDue(h);
          h.stopPreempted(); // the notice given last pass has run out
          for (const s of submits) {
            const p = s.project % projects.length;
            h.submit(gpuJob(`j${n++}`, projects[p], s.nodeCount, s));
          }
          const plan = h.pass();
          const held = heldGpus(h);
          let total = 0;
          for (const [i, p] of projects.entries()) {
            const g = held.get(p) ?? 0;
            total += g;
            // Never past its limit; beyond its guarantee only inside a cohort.
            expect(g).toBeLessThanOrEqual(limitOf(i));
          }
          // Borrowing only ever uses idle quota: the cohort together holds at most its guarantees.
          if (cohort) expect(total).toBeLessThanOrEqual(guaranteed.reduce((a, b) => a + b, 0));
          // An owner's job that fits its guarantee while a cohort member borrows waits at most two passes
          // (this one chooses the victims, they stop with notice, the next places it).
          const borrowing = projects.some((p, i) => (held.get(p) ?? 0) > guaranteed[i]);
          for (const w of plan.waiting) {
            const j = h.queue.get(w.jobId)!;
            const i = projects.indexOf(j.project!);
            const within = (held.get(j.project!) ?? 0) + j.nodeCount * 8 <= guaranteed[i];
            if (within && borrowing && cohort) {
              const k = (waitedWithinGuarantee.get(w.jobId) ?? 0) + 1;
              waitedWithinGuarantee.set(w.jobId, k);
              expect(k, `${w.jobId} waited ${k} passes within its guarantee (${w.reason})`).toBeLessThanOrEqual(2);
            } else waitedWithinGuarantee.delete(w.jobId);
          }
        }
      }),
      { numRuns: Number(process.env.QRUNS ?? 150) },
    );
  });

  it('over a long run, fair share converges to the configured weights within 5%', () => {
    const arb = fc.record({
      weights: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(arb, ({ weights, seed }) => {
        let rnd = seed >>> 0;
        const next = () => {
          rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
          return rnd / 2 ** 32;
        };
        const projects = weights.map((_, i) => `p${i}`);
        // No resource named: no limit, only weights. Every project always has work waiting (12 jobs of
        // 1–2 whole nodes, 2–21 passes long); ten nodes per unit of weight, so the smallest share is
        // not a handful of nodes; usage decays with a half-life of 100 passes.
        const quotas: ProjectQuota[] = projects.map((project, i) => ({ project, pool: 'default', guaranteed: {}, weight: weights[i] }));
        const h = new SchedulerHarness(Array.from({ length: 10 * weights.reduce((a, b) => a + b, 0) }, (_, i) => node(`n${i}`, { gpu: 8, cpu: 64, memoryMiB: 65536 })));
        let usage: PastUsage[] = [];
        const gpuSteps = new Map<string, number>();
        let n = 0;
        const STEPS = 1500;
        const WARM_UP = STEPS / 5;
        for (let t = 0; t < STEPS; t++) {
          h.advance(STEP);
          finishDue(h);
          for (const p of projects) {
            const waiting = [...h.queue.values()].filter((j) => j.project === p).length;
            for (let k = waiting; k < 12; k++) h.submit(gpuJob(`j${n++}`, p, 1 + Math.floor(next() * 2), { preemptible: false, steps: 2 + Math.floor(next() * 20) }));
          }
          h.quotas = { quotas, usage };
          h.pass();
          const held = holdings([...h.running.values()]);
          usage = decayUsage(usage, held, STEP, 100 * STEP);
          if (t >= WARM_UP) for (const u of held) gpuSteps.set(u.project, (gpuSteps.get(u.project) ?? 0) + (u.gpu ?? 0));
        }
        const total = [...gpuSteps.values()].reduce((a, b) => a + b, 0);
        const sumW = weights.reduce((a, b) => a + b, 0);
        for (const [i, p] of projects.entries()) {
          const got = (gpuSteps.get(p) ?? 0) / total;
          const want = weights[i] / sumW;
          expect(Math.abs(got - want) / want, `${p}: ${got.toFixed(3)} of the pool, weight share ${want.toFixed(3)}`).toBeLessThanOrEqual(0.05);
        }
      }),
      { numRuns: Number(process.env.FRUNS ?? 5) },
    );
  }, 60_000);

  it('quotas for other pools, or none at all, change nothing in a pool: the plan is the same', () => {
    const arb = fc.array(
      fc.record({ gpu: fc.constantFrom(1, 2, 4, 8), nodeCount: fc.integer({ min: 1, max: 3 }), priority: fc.integer({ min: 1, max: 3 }), project: fc.constantFrom('a', 'b', undefined) }),
      { minLength: 1, maxLength: 25 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 4 }), (jobs, busy) => {
        const nodes = Array.from({ length: 6 }, (_, i) => node(`n${i}`, { gpu: 8 }));
        const queue: PendingJob[] = jobs.map((j, i) => ({
          jobId: `j${i}`,
          priority: j.priority,
          queuedSeq: i + 1,
          pool: 'default',
          flavor: { cpu: 1, memoryMiB: 1024, gpu: j.gpu },
          nodeCount: j.nodeCount,
          ...(j.project ? { project: j.project } : {}),
        }));
        const run = Array.from({ length: busy }, (_, i) => running(`r${i}`, [`n${i}`], { flavor: { cpu: 1, memoryMiB: 1024, gpu: 4 }, preemptible: true, project: 'a' }));
        const base = view(nodes, queue, { running: run });
        const plain = planGangs(base);
        expect(planGangs({ ...base, quotas: { quotas: [] } })).toEqual(plain);
        expect(planGangs({ ...base, quotas: { quotas: [{ project: 'a', pool: 'elsewhere', guaranteed: { gpu: 1 } }] } })).toEqual(plain);
        expect(plain.waiting.some((w) => w.reason === WaitReason.QuotaExceeded)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
