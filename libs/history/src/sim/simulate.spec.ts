import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { event } from '@trainyard/contracts';
import { exit, Log, place, register, s, start, submit, T0, threeJobs, twoBusyNodes, wholeNodeSpec } from '@trainyard/testing/history';
import { readRecording, type Recording } from './recording';
import { simulate } from './simulate';

describe('simulate', () => {
  it('sim - the recorded cluster and configuration reproduce the recorded placements exactly', () => {
    const report = simulate(readRecording(threeJobs().commits));
    expect(report.identical).toBe(true);
    expect(report.differences).toEqual([]);
    expect(report.placementsMade.map((p) => [p.jobId, p.nodes['worker-0']])).toEqual([['a', 'n1'], ['b', 'n2'], ['c', 'n1']]);
    // c waited from 3 s until a ended at 10 s.
    expect(report.waits['priority-1'].p95Ms).toBeCloseTo(7010, -1);
    expect(report.utilisation.cpu).toBeGreaterThan(0.5);
  });

  it('sim - with one more node the waiting job starts at once, and the report says what differs', () => {
    const base = simulate(readRecording(threeJobs().commits));
    const more = simulate(readRecording(threeJobs().commits), { extraNodes: 1 });
    expect(more.waits.all.p95Ms).toBeLessThan(base.waits.all.p95Ms);
    expect(more.identical).toBe(false);
    expect(more.differences[0]).toMatchObject({ jobId: 'c', recorded: { nodes: { 'worker-0': 'n1' } }, simulated: { nodes: { 'worker-0': 'sim-node-1' } } });
  });

  it('sim - a different cluster (--cluster) replaces the recorded nodes', () => {
    const one = simulate(readRecording(threeJobs().commits), { cluster: [{ id: 'big', pool: 'default', capacity: { cpu: 6, memoryMiB: 8192, gpu: 0, npu: 0 } }] });
    expect(one.placementsMade.every((p) => p.nodes['worker-0'] === 'big')).toBe(true);
    expect(one.waits.all.neverPlaced).toBe(0);
  });

  /**
   * a (n1) and b (n2) end, b's exit committed first; the live pass right after had folded b's exit
   * only and put c on n2 (with both seen, the planner would take n1).
   */
  const laggedPass = (bEndsAt: number) => {
    const log = twoBusyNodes();
    exit(log, 'b', 'n2', bEndsAt);
    exit(log, 'a', 'n1', 10);
    place(log, 'c', 'n2', bEndsAt + 0.001);
    start(log, 'c', 'n2', 10.5);
    exit(log, 'c', 'n2', 12);
    return simulate(readRecording(log.commits));
  };

  it('sim - a pass planned on a fold that lagged the commits before it is replayed on the cut that makes its decisions', () => {
    // Both exits in the same millisecond.
    expect(laggedPass(10)).toMatchObject({ identical: true, inferredCuts: 1, differences: [] });
  });

  it('sim - the lagging cut is a prefix of the log in commit order, not in time order (exits committed out of time order)', () => {
    // b's exit (10.001 s) reached the log before a's (10.000 s): dropping the inputs latest in time would leave n1 free instead.
    const report = laggedPass(10.001);
    expect(report).toMatchObject({ identical: true, inferredCuts: 1, differences: [] });
    expect(report.placementsMade.find((p) => p.jobId === 'c')?.nodes).toEqual({ 'worker-0': 'n2' });
  });

  it('sim - victims by least work lost: the acknowledged checkpoint of a run is replayed, so the recorded victim is chosen again', () => {
    // a (started 1.5 s) checkpointed at 5 s, b started at 2.5 s: at 6 s the boss needs a node, and
    // stopping a loses 1 s of work, stopping b 3.5 s. Without the checkpoint a would lose more.
    const recorded = (checkpoint: boolean) => {
      const log = new Log();
      register(log, 'n1');
      register(log, 'n2');
      submit(log, 'a', 1, 1, { preemptible: true });
      place(log, 'a', 'n1', 1.01);
      start(log, 'a', 'n1', 1.5);
      submit(log, 'b', 2, 1, { preemptible: true });
      place(log, 'b', 'n2', 2.01);
      start(log, 'b', 'n2', 2.5);
      if (checkpoint) log.job('a', 'node:n1', [event('TaskCheckpointed', s(5), { task: 'worker-0', attempt: 1, nodeId: 'n1' })]);
      submit(log, 'boss', 6, 3);
      log.job('a', 'scheduler', [event('JobPreempted', s(6.01), { attempt: 1, by: 'boss', byPriority: 3, graceMs: 1_000 })]);
      log.job('a', 'node:n1', [event('TaskExited', s(6.5), { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, reason: 'stopped' })]);
      log.job('a', 'scheduler', [event('JobQueued', s(6.6), { priority: 1, requeue: 'preemption' })]);
      place(log, 'boss', 'n1', 6.61);
      start(log, 'boss', 'n1', 7);
      exit(log, 'boss', 'n1', 8);
      place(log, 'a', 'n1', 8.01, 2);
      start(log, 'a', 'n1', 8.5, 2);
      exit(log, 'b', 'n2', 12);
      exit(log, 'a', 'n1', 20, 2);
      return simulate(readRecording(log.commits), { planner: { minRunTimeMs: 0 } });
    };
    const replay = recorded(true);
    expect(replay).toMatchObject({ identical: true, preemptions: 1, differences: [] });
    // The same recording without the acknowledgement: the planner would have stopped b instead.
    expect(recorded(false).identical).toBe(false);
  });

  it('sim - property: deterministic, and a node never holds more than it has (whole-node jobs never overlap)', () => {
    const job = fc.record({ gap: fc.integer({ min: 0, max: 5_000 }), run: fc.integer({ min: 1, max: 30_000 }), priority: fc.constantFrom(1, 2, 3), nodes: fc.constantFrom(1, 2) });
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 3 }), (specs, nodeCount) => {
        let t = T0;
        const rec: Recording = {
          nodes: Array.from({ length: nodeCount }, (_, i) => ({ id: `n${i + 1}`, host: `n${i + 1}`, pool: 'default', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, labels: {}, registeredAt: T0, availability: [] })),
          jobs: specs.map((j, i) => ({
            id: `j${i}`, spec: { ...wholeNodeSpec(`j${i}`, j.priority), spec: { ...wholeNodeSpec(`j${i}`, j.priority).spec, resource: { flavor: { cpu: 2, memoryMiB: 256 }, nodeCount: Math.min(j.nodes, nodeCount) } } },
            priority: j.priority, queuedAt: (t += j.gap), queuedSeq: i + 10, startLatencyMs: 100, startLatencies: [],
            taskRunMs: Object.fromEntries(Array.from({ length: Math.min(j.nodes, nodeCount) }, (_, k) => [`worker-${k}`, j.run])),
            faultRuns: [], priorityChanges: [], placements: [], preemptStopMs: [], preemptTaskStopMs: [], preemptedAt: [], outcome: 'JobSucceeded',
          })),
          passes: [], recoveries: 0, preemptions: 0, start: T0, end: t,
        };
        const a = simulate(rec);
        expect(simulate(rec)).toEqual(a);
        expect(a.waits.all.neverPlaced).toBe(0);
        const spans = a.placementsMade.flatMap((p) => Object.values(p.nodes).map((n) => ({ n, from: Date.parse(p.at), to: Date.parse(p.endedAt!) })));
        for (const x of spans) {
          for (const y of spans) if (x !== y && x.n === y.n) expect(x.to <= y.from || y.to <= x.from).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});
