import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOrQuarantine, type BatchPorts } from './apply-or-quarantine';
import type { Failure } from './failure';
import { retryPolicy } from './retry-policy';

/**
 * How one message behaves each time a unit containing it is applied: `good` always applies, `flaky`
 * fails transiently `n` times first (the database was away), `racy` fails deterministically `n` times
 * first (a misclassified race), `poison` always fails with a data error, `garbage` never decodes.
 */
type Behaviour = { kind: 'good' } | { kind: 'flaky'; n: number } | { kind: 'racy'; n: number } | { kind: 'poison' } | { kind: 'garbage' };
interface Msg {
  id: number;
  b: Behaviour;
}

const dataError = () => Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
const outage = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const garbage = () => Object.assign(new Error('not JSON'), { name: 'MalformedCommit', poison: true });

/** A consumer over an in-memory store: what was applied, quarantined, and in which order. */
function harness(policy = retryPolicy({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 8 })) {
  const tries = new Map<number, number>();
  const log: Array<{ kind: 'applied' | 'quarantined'; id: number; attempts?: number; failure?: Failure }> = [];
  const sleeps: number[] = [];
  const failing = (m: Msg): (() => Error) | undefined => {
    const t = (tries.get(m.id) ?? 0) + 1;
    tries.set(m.id, t);
    switch (m.b.kind) {
      case 'good':
        return undefined;
      case 'flaky':
        return t <= m.b.n ? outage : undefined;
      case 'racy':
        return t <= m.b.n ? dataError : undefined;
      case 'poison':
        return dataError;
      case 'garbage':
        return garbage;
    }
  };
  const ports: BatchPorts<Msg> = {
    async apply(items) {
      // All or nothing, like one transaction: the first failing message aborts the unit.
      for (const m of items) {
        const fail = failing(m);
        if (fail) throw fail();
      }
      for (const m of items) log.push({ kind: 'applied', id: m.id });
    },
    async quarantine(m, failure, attempts) {
      log.push({ kind: 'quarantined', id: m.id, attempts: attempts.count, failure });
    },
    sleep: async (ms) => void sleeps.push(ms),
    stopped: () => false,
  };
  return { ports, log, sleeps, policy };
}

const behaviour: fc.Arbitrary<Behaviour> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'good' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 20 }).map((n) => ({ kind: 'flaky' as const, n })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }).map((n) => ({ kind: 'racy' as const, n })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'poison' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'garbage' as const }) },
);
const runs = fc.array(behaviour, { minLength: 1, maxLength: 25 }).map((bs) => bs.map((b, id): Msg => ({ id, b })));

describe('applyOrQuarantine - no single message stalls the consumer', () => {
  it('property: every message ends applied or quarantined exactly once, in order; only poison is quarantined', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (msgs) => {
        const h = harness();
        expect(await applyOrQuarantine(msgs, h.ports, { policy: h.policy })).toBe(msgs.length);
        // Each message once, in stream order.
        expect(h.log.map((e) => e.id)).toEqual(msgs.map((m) => m.id));
        for (const [i, m] of msgs.entries()) {
          const entry = h.log[i];
          if (m.b.kind === 'poison') expect(entry).toMatchObject({ kind: 'quarantined', attempts: 3, failure: { kind: 'deterministic', code: '22021' } });
          else if (m.b.kind === 'garbage') expect(entry).toMatchObject({ kind: 'quarantined', attempts: 1, failure: { final: true } });
          // Transient failures never quarantine; a deterministic one that clears within the budget does not either.
          else expect(entry.kind).toBe('applied');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a good run is one unit: one apply, no retries', async () => {
    const h = harness();
    let applies = 0;
    const apply = h.ports.apply;
    h.ports.apply = (items) => (applies++, apply(items));
    await applyOrQuarantine([0, 1, 2].map((id) => ({ id, b: { kind: 'good' as const } })), h.ports, { policy: h.policy });
    expect(applies).toBe(1);
    expect(h.sleeps).toEqual([]);
  });

  it('the good messages around a poison one still get in; it is retried with back-off first', async () => {
    const h = harness(retryPolicy({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 }));
    const msgs: Msg[] = [{ id: 0, b: { kind: 'good' } }, { id: 1, b: { kind: 'poison' } }, { id: 2, b: { kind: 'good' } }];
    await applyOrQuarantine(msgs, h.ports, { policy: h.policy });
    expect(h.log.map((e) => `${e.kind}:${e.id}`)).toEqual(['applied:0', 'quarantined:1', 'applied:2']);
    expect(h.sleeps).toEqual([100, 200]);
  });

  it('an outage is waited out, however long, and quarantines nothing', async () => {
    const h = harness();
    const msgs: Msg[] = [{ id: 0, b: { kind: 'flaky', n: 500 } }, { id: 1, b: { kind: 'good' } }];
    await applyOrQuarantine(msgs, h.ports, { policy: h.policy });
    expect(h.log.map((e) => e.kind)).toEqual(['applied', 'applied']);
    expect(h.sleeps).toHaveLength(500);
    expect(Math.max(...h.sleeps)).toBe(8);
  });

  it('with a transient budget (a rebuild), the outage is thrown instead', async () => {
    const h = harness();
    await expect(applyOrQuarantine([{ id: 0, b: { kind: 'flaky', n: 10 } }], h.ports, { policy: h.policy, maxTransientAttempts: 3 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops between attempts and says how far it got; a failing dead-letter write is retried', async () => {
    const h = harness();
    let stop = false;
    h.ports.stopped = () => stop;
    let quarantineCalls = 0;
    const quarantine = h.ports.quarantine;
    h.ports.quarantine = async (m, f, a) => {
      if (++quarantineCalls < 3) throw outage();
      await quarantine(m, f, a);
      stop = true;
    };
    const msgs: Msg[] = [{ id: 0, b: { kind: 'good' } }, { id: 1, b: { kind: 'garbage' } }, { id: 2, b: { kind: 'good' } }];
    expect(await applyOrQuarantine(msgs, h.ports, { policy: h.policy })).toBe(2);
    expect(quarantineCalls).toBe(3);
    expect(h.log.map((e) => `${e.kind}:${e.id}`)).toEqual(['applied:0', 'quarantined:1']);
  });
});
