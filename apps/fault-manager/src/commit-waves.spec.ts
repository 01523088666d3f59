import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchCommandId, commitWaves, inParallel } from './commit-waves';
import type { FaultAction } from './fault-actions';

const metadata = { now: '2026-03-13T10:00:00.000Z' };
const stop = (nodeId: string, task: string): FaultAction => ({
  kind: 'node', nodeId, commandId: `fence/j/${task}/1/${nodeId}`,
  command: { type: 'RequestTaskStop', data: { jobId: 'j', task, attempt: 1, graceMs: 1000, reason: 'lost' }, metadata },
});
const isolate = (nodeId: string, jobId: string): FaultAction => ({
  kind: 'node', nodeId, commandId: `isolate/${nodeId}/${jobId}/1`, command: { type: 'IsolateNode', data: { reason: 'node-lost', by: 'fm' }, metadata },
});
const recover = (jobId: string): FaultAction => ({
  kind: 'job', jobId, commandId: `recover/${jobId}/1`,
  command: { type: 'ReportTaskExited', data: { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, signal: null, reason: 'lost' }, metadata },
});
const idOf = (a: FaultAction) => (a.kind === 'job' ? a.jobId : a.nodeId);

const action = fc.oneof(
  fc.record({ n: fc.constantFrom('n1', 'n2', 'n3'), t: fc.constantFrom('w0', 'w1', 'w2') }).map(({ n, t }) => stop(n, t)),
  fc.record({ n: fc.constantFrom('n1', 'n2'), j: fc.constantFrom('j1', 'j2') }).map(({ n, j }) => isolate(n, j)),
  fc.constantFrom('j1', 'j2', 'j3').map(recover),
);

describe('commitWaves - the order a fault-manager pass commits in', () => {
  it('a node\'s fence stops go in one commit, the isolations before the recoveries that follow them', () => {
    const plan = [isolate('n1', 'j1'), isolate('n1', 'j2'), recover('j1'), recover('j2'), stop('n1', 'w0'), stop('n1', 'w1'), stop('n2', 'w2')];
    const waves = commitWaves(plan);
    expect(waves.map((w) => w.map((b) => `${b.kind}:${b.id}:${b.actions.length}`))).toEqual([
      ['node:n1:2'],
      ['job:j1:1', 'job:j2:1'],
      ['node:n1:2', 'node:n2:1'],
    ]);
  });

  it('keeps every action once, each aggregate\'s in plan order, and never moves an action past one of the other kind', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 30 }), (plan) => {
        const waves = commitWaves(plan);
        const flat = waves.flatMap((w) => w.flatMap((b) => b.actions));
        expect([...flat].sort((a, b) => a.commandId.localeCompare(b.commandId))).toEqual([...plan].sort((a, b) => a.commandId.localeCompare(b.commandId)));
        // Per aggregate, the plan's order.
        for (const id of new Set(plan.map(idOf))) expect(flat.filter((a) => idOf(a) === id)).toEqual(plan.filter((a) => idOf(a) === id));
        // A wave holds one kind and one batch per aggregate; consecutive waves differ in kind.
        waves.forEach((w, i) => {
          expect(new Set(w.map((b) => b.kind)).size).toBe(1);
          expect(new Set(w.map((b) => b.id)).size).toBe(w.length);
          if (i > 0) expect(w[0]!.kind).not.toBe(waves[i - 1]![0]!.kind);
        });
        // Across kinds the plan's order holds: whatever came before an action of the other kind commits in an earlier wave.
        const waveOf = new Map(waves.flatMap((w, i) => w.flatMap((b) => b.actions.map((a) => [a, i] as const))));
        plan.forEach((a, i) => plan.slice(i + 1).forEach((b) => { if (a.kind !== b.kind) expect(waveOf.get(a)!).toBeLessThan(waveOf.get(b)!); }));
      }),
    );
  });

  it('a batch of one keeps its action\'s command id; a batch of more gets one made of its members\', the same every time', () => {
    const [[one]] = commitWaves([stop('n1', 'w0')]);
    expect(batchCommandId(one!)).toBe('fence/j/w0/1/n1');
    const [[two]] = commitWaves([stop('n1', 'w0'), stop('n1', 'w1')]);
    const [[again]] = commitWaves([stop('n1', 'w0'), stop('n1', 'w1')]);
    const [[other]] = commitWaves([stop('n1', 'w0'), stop('n1', 'w2')]);
    expect(batchCommandId(two!)).toMatch(/^batch\/node\/n1\/2\/[0-9a-f]+$/);
    expect(batchCommandId(again!)).toBe(batchCommandId(two!));
    expect(batchCommandId(other!)).not.toBe(batchCommandId(two!));
  });
});

describe('inParallel', () => {
  it('runs at most `limit` at once and answers in the items\' order', async () => {
    let running = 0;
    let most = 0;
    const out = await inParallel([5, 1, 4, 2, 3, 0], 2, async (ms) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return ms * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
  });
});
