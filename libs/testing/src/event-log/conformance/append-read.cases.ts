import { Subjects } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamVersionConflict } from '@trainyard/event-log';
import { meta, priorities, queued, type EventLogHarness, type StartHarness } from './harness';

export function appendReadCases(start: StartHarness): void {
  describe('append/read', () => {
    let h: EventLogHarness;
    beforeAll(async () => {
      h = await start();
    });
    afterAll(() => h?.[Symbol.asyncDispose]());

    it('append/read - round trip keeps events, meta, subject and order', async () => {
      const subject = Subjects.job('round-trip');
      const m1 = { ...meta(), causationId: 'cause-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
      const a = await h.log.append(subject, [queued(1), queued(2)], m1, 0);
      const b = await h.log.append(subject, [queued(3)], meta(), a.seq);

      const history = await h.log.read(subject);

      expect(history.lastSeq).toBe(b.seq);
      expect(history.commits.map((c) => c.seq)).toEqual([a.seq, b.seq]);
      expect(history.commits.every((c) => c.subject === subject)).toBe(true);
      expect(priorities(history.commits)).toEqual([1, 2, 3]);
      expect(history.commits[0].meta).toEqual(m1);
      expect(history.commits[0].events[0]).toEqual(queued(1));
    });

    it('read - an aggregate without commits has lastSeq 0', async () => {
      expect(await h.log.read(Subjects.job('never-written'))).toEqual({ commits: [], lastSeq: 0 });
    });

    it('read - other aggregates do not leak into the history', async () => {
      const [x, y] = [Subjects.node('x'), Subjects.node('y')];
      await h.log.append(x, [queued(10)], meta(), 0);
      await h.log.append(y, [queued(20)], meta(), 0);
      await h.log.append(x, [queued(11)], meta(), 'any');
      expect(priorities((await h.log.read(x)).commits)).toEqual([10, 11]);
      expect(priorities((await h.log.read(y)).commits)).toEqual([20]);
    });

    it('append - a stale expected sequence throws StreamVersionConflict', async () => {
      const subject = Subjects.job('conflict');
      const first = await h.log.append(subject, [queued(1)], meta(), 0);

      const err = await h.log.append(subject, [queued(2)], meta(), 0).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(StreamVersionConflict);
      expect(err).toMatchObject({ subject, expected: 0, actual: first.seq, retryable: true, code: 'CONFLICT' });
      expect((await h.log.read(subject)).commits).toHaveLength(1);
    });

    it('append - two writers deciding on the same version: exactly one wins', async () => {
      const subject = Subjects.job('race');
      const base = await h.log.append(subject, [queued(0)], meta(), 0);
      const other = await h.other('writer-2');

      const results = await Promise.allSettled([
        h.log.append(subject, [queued(1)], meta(), base.seq),
        other.append(subject, [queued(2)], meta(), base.seq),
      ]);

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.filter((r) => r.status === 'rejected');
      expect(lost).toHaveLength(1);
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(StreamVersionConflict);
      expect((await h.log.read(subject)).commits).toHaveLength(2);
    });

    it('append - the same command id is stored once', async () => {
      const subject = Subjects.job('dup');
      const m = meta();
      const first = await h.log.append(subject, [queued(1)], m, 0);
      // A retry after a lost ack: same command, same expectation, which is now stale.
      const again = await h.log.append(subject, [queued(1)], m, 0);
      const anyAgain = await h.log.append(subject, [queued(1)], m, 'any');

      expect(first.duplicate).toBe(false);
      expect(again).toEqual({ seq: first.seq, duplicate: true });
      expect(anyAgain).toEqual({ seq: first.seq, duplicate: true });
      expect((await h.log.read(subject)).commits).toHaveLength(1);
    });

    it('append - one command may commit to several aggregates', async () => {
      const m = meta();
      const a = await h.log.append(Subjects.job('multi'), [queued(1)], m, 0);
      const b = await h.log.append(Subjects.node('multi'), [queued(2)], m, 0);
      expect(b.duplicate).toBe(false);
      expect(b.seq).toBeGreaterThan(a.seq);
      expect((await h.log.read(Subjects.node('multi'))).commits).toHaveLength(1);
    });

    it('append - rejects wildcards, empty commits, bad expectations and missing command ids', async () => {
      await expect(h.log.append('ty.ev.job.*', [queued(1)], meta(), 'any')).rejects.toThrow(TypeError);
      await expect(h.log.append('ty.ev.>', [queued(1)], meta(), 'any')).rejects.toThrow(TypeError);
      await expect(h.log.append(Subjects.job('empty'), [], meta(), 'any')).rejects.toThrow(TypeError);
      await expect(h.log.append(Subjects.job('negative'), [queued(1)], meta(), -1)).rejects.toThrow(TypeError);
      await expect(h.log.append(Subjects.job('no-id'), [queued(1)], { ...meta(), commandId: '' }, 'any')).rejects.toThrow(
        TypeError,
      );
    });

    it('lastSeq - follows the stream end', async () => {
      const before = await h.log.lastSeq();
      const { seq } = await h.log.append(Subjects.job('last'), [queued(1)], meta(), 'any');
      expect(seq).toBe(before + 1);
      expect(await h.log.lastSeq()).toBe(seq);
    });
  });
}
