import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { node } from '@trainyard/testing/scheduling';
import { PoolIndex } from './pool-index';

const snapshot = (p: PoolIndex) => ({
  free: [...p.freeCpu, ...p.freeMem, ...p.freeGpu, ...p.freeNpu],
  tasks: [...p.tasks],
  whole: [...p.whole],
  levels: p.levels.map((l) => [...l.words]),
  levelCount: [...p.levelCount],
  empty: [...p.empty.words],
  cpuAtLeast: p.cpuAtLeast.map((b) => [...b.words]),
  supernodeEmpty: [...p.supernodeEmpty],
  byEmpty: p.supernodesByEmpty.map((b) => [...b.words]),
  totals: { ...p.totals },
  spare: [...p.spareGpu],
  version: p.version,
});

const nodes = () => [
  node('b1', { gpu: 8, supernode: 's2' }),
  node('a1', { gpu: 8, supernode: 's1' }),
  node('a0', { gpu: 8, supernode: 's1' }),
  node('x', { gpu: 4 }),
  node('down', { gpu: 8, supernode: 's2', schedulable: false }),
];

describe('pool index', () => {
  it('gives slots in (supernode, id) order with unlabelled nodes last, and supernodes as ranges', () => {
    const p = new PoolIndex('default', nodes());
    expect(p.ids).toEqual(['a0', 'a1', 'b1', 'down', 'x']);
    expect(p.supernodes).toEqual([
      { name: 's1', start: 0, end: 2 },
      { name: 's2', start: 2, end: 4 },
    ]);
    expect([...p.supernodeEmpty]).toEqual([2, 1]);
    expect(p.totals.gpu).toBe(28);
    expect(p.levelCount[8]).toBe(3);
    expect(p.levelCount[4]).toBe(1);
  });

  it('keeps levels, free whole nodes and totals in step with every change', () => {
    const p = new PoolIndex('default', nodes());
    p.take(0, { cpu: 1000, memoryMiB: 1, gpu: 3, npu: 0 }, false);
    expect(p.levels[5].has(0)).toBe(true);
    expect(p.empty.has(0)).toBe(false);
    expect(p.supernodeEmpty[0]).toBe(1);
    expect(p.supernodesByEmpty[1].has(0)).toBe(true);
    p.take(1, { cpu: 1000, memoryMiB: 1, gpu: 1, npu: 0 }, true);
    expect(p.levels.some((l) => l.has(1))).toBe(false);
    expect(p.totals.gpu).toBe(28 - 3 - 8);
  });

  it('rolls any sequence of changes back exactly, version included, with nested change sets', () => {
    const op = fc.record({ slot: fc.integer({ min: 0, max: 4 }), gpu: fc.integer({ min: 0, max: 4 }), take: fc.boolean(), whole: fc.boolean(), nest: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        const p = new PoolIndex('default', nodes());
        p.take(2, { cpu: 1000, memoryMiB: 1, gpu: 2, npu: 0 }, false);
        const before = snapshot(p);
        const outer = p.begin();
        let inner: number | undefined;
        for (const o of ops) {
          if (o.nest && inner === undefined) inner = p.begin();
          const d = { cpu: 1000, memoryMiB: 1, gpu: o.gpu, npu: 0 };
          if (o.take) p.take(o.slot, d, o.whole);
          else p.release(o.slot, d, o.whole);
          p.setSpare(o.slot, o.gpu, o.gpu, o.gpu, o.gpu);
        }
        if (inner !== undefined) p.rollback(inner);
        p.rollback(outer);
        expect(snapshot(p)).toEqual(before);
      }),
    );
  });

  it('indexes free cores by power-of-two steps', () => {
    const p = new PoolIndex('default', [node('a', { cpu: 8 })]);
    expect(p.cpuAtLeast.map((b) => b.has(0))).toEqual([true, true, true, true, true, false, false, false, false, false, false, false, false, false, false, false, false]);
    p.take(0, { cpu: 5500, memoryMiB: 1, gpu: 0, npu: 0 }, false);
    expect(p.cpuAtLeast.slice(0, 4).map((b) => b.has(0))).toEqual([true, true, true, false]);
  });

  it('gives every new state a new version', () => {
    const p = new PoolIndex('default', nodes());
    const v0 = p.version;
    const m = p.begin();
    p.take(0, { cpu: 1, memoryMiB: 1, gpu: 1, npu: 0 }, false);
    const v1 = p.version;
    p.rollback(m);
    expect(p.version).toBe(v0);
    p.take(1, { cpu: 1, memoryMiB: 1, gpu: 1, npu: 0 }, false);
    expect(new Set([v0, v1, p.version]).size).toBe(3);
  });
});
