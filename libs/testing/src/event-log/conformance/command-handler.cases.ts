import { ErrorCode, Subjects, TrainyardError, event, type DomainEvent } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accept, reject } from '@trainyard/domain';
import { type EventLog, handleCommand, StreamVersionConflict } from '@trainyard/event-log';
import { meta, priorities, type EventLogHarness, type StartHarness } from './harness';

// A tiny aggregate: a counter whose events carry the value they set, so lost updates show.
type Counter = { value: number; commits: number };
const initialState: Counter = { value: 0, commits: 0 };
const evolve = (s: Counter, e: DomainEvent): Counter =>
  e.type === 'JobQueued' ? { value: e.data.priority, commits: s.commits + 1 } : s;
const set = (value: number) => event('JobQueued', '2026-01-01T00:00:00.000Z', { priority: value });
const increment = async (log: EventLog, subject: string, commandId?: string) => {
  const r = await handleCommand({ log, subject, initialState, evolve, meta: meta(commandId), decide: (s) => accept(set(s.value + 1)) });
  if (!r.ok) throw new Error(`increment refused: ${r.rejection.message}`);
  return r;
};

export function commandHandlerCases(start: StartHarness): void {
  describe('handleCommand', () => {
    let h: EventLogHarness;
    beforeAll(async () => {
      h = await start();
    });
    afterAll(() => h?.[Symbol.asyncDispose]());

    it('handleCommand - folds the history, decides and appends at the version it read', async () => {
      const subject = Subjects.job('counter');
      const a = await increment(h.log, subject);
      const b = await increment(h.log, subject);
      expect(a).toMatchObject({ events: [set(1)], state: { value: 1 }, duplicate: false });
      expect(b).toMatchObject({ events: [set(2)], state: { value: 2, commits: 2 }, duplicate: false });
      expect(b.seq).toBeGreaterThan(a.seq);
      expect(priorities((await h.log.read(subject)).commits)).toEqual([1, 2]);
    });

    it('handleCommand - an empty decision appends nothing and reports the current version', async () => {
      const subject = Subjects.job('noop');
      const { seq } = await increment(h.log, subject);
      const r = await handleCommand({ log: h.log, subject, initialState, evolve, meta: meta(), decide: () => accept<DomainEvent>() });
      expect(r).toEqual({ ok: true, seq, events: [], state: { value: 1, commits: 1 }, duplicate: false });
      expect((await h.log.read(subject)).commits).toHaveLength(1);
    });

    it('handleCommand - a rejection from decide is rethrown untouched, without retries', async () => {
      const rejection = new TrainyardError(ErrorCode.IllegalState, 'job already completed');
      let calls = 0;
      const run = handleCommand({
        log: h.log,
        subject: Subjects.job('rejected'),
        initialState,
        evolve,
        meta: meta(),
        decide: () => {
          calls++;
          throw rejection;
        },
      });
      await expect(run).rejects.toBe(rejection);
      expect(calls).toBe(1);
    });

    it('handleCommand - a rejected decision is returned as a value: nothing appended, decided once', async () => {
      const subject = Subjects.job('refused');
      const { seq } = await increment(h.log, subject);
      let calls = 0;
      const r = await handleCommand({
        log: h.log, subject, initialState, evolve, meta: meta(),
        decide: () => (calls++, reject(ErrorCode.IllegalState, 'NotStoppable', 'job counter is completed')),
      });
      expect(r).toEqual({ ok: false, rejection: { code: ErrorCode.IllegalState, reason: 'NotStoppable', message: 'job counter is completed' }, seq, state: { value: 1, commits: 1 } });
      expect(calls).toBe(1);
      expect((await h.log.read(subject)).commits).toHaveLength(1);
    });

    it('handleCommand - two racing writers on one aggregate both apply, one after the other', async () => {
      const subject = Subjects.job('race');
      await increment(h.log, subject);
      const other = await h.other('second-writer');

      // Both read version v before either appends: one append must conflict and be re-decided.
      let reads = 0;
      let bothRead!: () => void;
      const barrier = new Promise<void>((r) => (bothRead = r));
      const racing = (log: EventLog) =>
        handleCommand({
          log,
          subject,
          initialState,
          evolve,
          meta: meta(),
          decide: async (s) => {
            if (++reads === 2) bothRead();
            if (reads <= 2) await barrier;
            return accept(set(s.value + 1));
          },
        });

      const [x, y] = await Promise.all([racing(h.log), racing(other)]);

      expect(reads).toBe(3); // the loser decided twice
      expect([x.state.value, y.state.value].sort()).toEqual([2, 3]);
      expect(priorities((await h.log.read(subject)).commits)).toEqual([1, 2, 3]);
    });

    it('handleCommand - gives up with StreamVersionConflict after maxAttempts', async () => {
      const subject = Subjects.job('hot');
      let attempts = 0;
      const run = handleCommand({
        log: h.log,
        subject,
        initialState,
        evolve,
        meta: meta(),
        maxAttempts: 3,
        decide: async (s) => {
          attempts++;
          // Someone else always commits between our read and our append.
          await h.log.append(subject, [set(100 + attempts)], meta(), 'any');
          return accept(set(s.value + 1));
        },
      });
      await expect(run).rejects.toBeInstanceOf(StreamVersionConflict);
      expect(attempts).toBe(3);
    });

    it('handleCommand - a retried command answers with the first commit and decides nothing', async () => {
      const subject = Subjects.job('idempotent');
      const first = await increment(h.log, subject, 'submit-1');
      await increment(h.log, subject); // the aggregate moves on
      let decided = false;
      const retry = await handleCommand({
        log: h.log,
        subject,
        initialState,
        evolve,
        meta: meta('submit-1'),
        decide: () => {
          decided = true;
          return accept(set(999));
        },
      });
      expect(decided).toBe(false);
      expect(retry).toEqual({ ok: true, seq: first.seq, events: first.events, state: first.state, duplicate: true });
      expect(priorities((await h.log.read(subject)).commits)).toEqual([1, 2]);
    });

    it('handleCommand - concurrent retries of one command store it once', async () => {
      const subject = Subjects.job('same-command-twice');
      const other = await h.other('retrier');
      const [a, b] = await Promise.all([increment(h.log, subject, 'cmd-x'), increment(other, subject, 'cmd-x')]);
      expect(a.seq).toBe(b.seq);
      expect([a.duplicate, b.duplicate].filter(Boolean)).toHaveLength(1);
      expect(priorities((await h.log.read(subject)).commits)).toEqual([1]);
    });
  });
}
