import type { DomainEvent } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handleCommand } from './command-handler';
import { InMemoryEventLog } from './in-memory-event-log';

// A counter aggregate: each command adds one event numbered after the ones it saw.
type Counted = DomainEvent & { data: { n: number } };
const ev = (n: number) => ({ type: 'JobQueued', version: 1, time: '2026-12-03T00:00:00.000Z', data: { n } }) as unknown as Counted;

function count(log: InMemoryEventLog, subject: string, id: string, decided: { n: number }) {
  return handleCommand<number, Counted>({
    log,
    subject,
    meta: { commandId: id, correlationId: id, actor: 'test' },
    initialState: 0,
    evolve: (n) => n + 1,
    decide: async (n) => {
      decided.n++;
      // Decisions take time, as reading other state does: the window a concurrent command would use.
      await new Promise((r) => setTimeout(r, 1));
      return { ok: true, events: [ev(n + 1)] };
    },
  });
}

describe('handleCommand - commands of one process against one aggregate run in order', () => {
  it('decides each concurrent command once, on the state the one before left: no conflicts to retry', async () => {
    const log = new InMemoryEventLog();
    const decided = { n: 0 };
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => count(log, 'ty.ev.job.j1', id, decided)));
    expect(decided.n).toBe(4);
    expect(results.map((r) => r.ok && r.events.map((e) => e.data.n))).toEqual([[1], [2], [3], [4]]);
    const { commits } = await log.read('ty.ev.job.j1');
    expect(commits.flatMap((c) => c.events.map((e) => (e as Counted).data.n))).toEqual([1, 2, 3, 4]);
  });

  it('keeps going after a command that throws, and other aggregates do not wait', async () => {
    const log = new InMemoryEventLog();
    const boom = handleCommand<number, Counted>({
      log,
      subject: 'ty.ev.job.j2',
      meta: { commandId: 'x', correlationId: 'x', actor: 'test' },
      initialState: 0,
      evolve: (n) => n + 1,
      decide: () => {
        throw new Error('decider bug');
      },
    });
    const after = count(log, 'ty.ev.job.j2', 'y', { n: 0 });
    await expect(boom).rejects.toThrow('decider bug');
    expect((await after).ok).toBe(true);
    expect((await log.read('ty.ev.job.j2')).commits).toHaveLength(1);
  });

  it('property: any interleaving of commands over a few aggregates gives each aggregate 1..n in order, one decision each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom('ty.ev.job.p', 'ty.ev.job.q', 'ty.ev.job.r'), { minLength: 1, maxLength: 12 }), async (subjects) => {
        const log = new InMemoryEventLog();
        const decided = { n: 0 };
        await Promise.all(subjects.map((s, i) => count(log, s, `c${i}`, decided)));
        expect(decided.n).toBe(subjects.length);
        for (const s of new Set(subjects)) {
          const n = subjects.filter((x) => x === s).length;
          const got = (await log.read(s)).commits.flatMap((c) => c.events.map((e) => (e as Counted).data.n));
          expect(got).toEqual(Array.from({ length: n }, (_, i) => i + 1));
        }
      }),
      { numRuns: 30 },
    );
  });
});
