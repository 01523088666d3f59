import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simCluster, simConfig } from './sim-inputs';

describe('yard sim inputs - every offending field named, nothing taken unchecked', () => {
  it('--config: the known durations, hourMs apart; a typo or a bad value is named', () => {
    expect(simConfig({ minRunTimeMs: 600_000, hourMs: 1000 })).toEqual({ ok: true, value: { hourMs: 1000, planner: { minRunTimeMs: 600_000 } } });
    expect(simConfig({})).toEqual({ ok: true, value: { planner: {} } });
    const bad = simConfig({ minRuntimeMs: 1, reservationTtlMs: -5, hourMs: 0, reservationBackoffMs: '10' });
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.path} ${e.code}`)).toEqual(['minRuntimeMs UNKNOWN_FIELD', 'reservationTtlMs OUT_OF_RANGE', 'hourMs OUT_OF_RANGE', 'reservationBackoffMs OUT_OF_RANGE']);
    expect(simConfig([1]).ok).toBe(false);
    expect(simConfig(null).ok).toBe(false);
  });

  it('--config: any mapping is either taken whole or refused with one error per offending key', () => {
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('minRunTimeMs', 'reservationTtlMs', 'hourMs', 'typo'), fc.oneof(fc.integer({ min: -10, max: 1e6 }), fc.string(), fc.double())), (doc) => {
      const r = simConfig(doc);
      const bad = Object.entries(doc).filter(([k, v]) => k === 'typo' || typeof v !== 'number' || !Number.isFinite(v) || v < (k === 'hourMs' ? 1 : 0) || v > 365 * 24 * 3_600_000);
      if (r.ok) expect(bad).toEqual([]);
      else expect(r.errors.map((e) => e.path).sort()).toEqual(bad.map(([k]) => k).sort());
    }));
  });

  it('--cluster: a list of nodes with ids, pools and capacities; gpu and npu default to 0; a repeated id or bad capacity is named', () => {
    expect(simCluster([{ id: 'n1', pool: 'default', capacity: { cpu: 8, memoryMiB: 1024 }, labels: { zone: 'a' } }])).toEqual({
      ok: true, value: [{ id: 'n1', pool: 'default', capacity: { cpu: 8, memoryMiB: 1024, gpu: 0, npu: 0 }, labels: { zone: 'a' } }],
    });
    const bad = simCluster([{ id: 'n1', pool: 'p', capacity: { cpu: -1, memoryMiB: 1 } }, { id: 'n1', pool: 'p/x', capacity: { cpu: 1, memoryMiB: 1 }, labels: { a: 1 } }, 7]);
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.path} ${e.code}`)).toEqual(['[0].capacity.cpu OUT_OF_RANGE', '[1].pool INVALID_FORMAT', '[1].id DUPLICATE', '[1].labels INVALID_TYPE', '[2] INVALID_TYPE']);
    expect(simCluster([]).ok).toBe(false);
    expect(simCluster({ id: 'n1' }).ok).toBe(false);
  });
});
