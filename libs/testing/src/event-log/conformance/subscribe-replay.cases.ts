import { Subjects, type StoredCommit } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, meta, priorities, queued, type EventLogHarness, type StartHarness } from './harness';

export function subscribeReplayCases(start: StartHarness): void {
  describe('subscribe/replay', () => {
    let h: EventLogHarness;
    const seqs: number[] = [];
    beforeAll(async () => {
      h = await start();
      // Ten commits over two aggregates, interleaved.
      for (let i = 1; i <= 10; i++) {
        seqs.push((await h.log.append(Subjects.job(i % 2 ? 'odd' : 'even'), [queued(i)], meta(), 'any')).seq);
      }
    });
    afterAll(() => h?.[Symbol.asyncDispose]());

    it('subscribe - from a sequence, in order, then live; caughtUp after the existing ones', async () => {
      const got: StoredCommit[] = [];
      const sub = h.log.subscribe({ from: { seq: seqs[3] } }, (c) => {
        got.push(c);
      });
      await sub.caughtUp;
      expect(got.map((c) => c.seq)).toEqual(seqs.slice(3));

      const live = await h.log.append(Subjects.job('live'), [queued(99)], meta(), 0);
      await eventually(() => got.length === 8);
      expect(got.at(-1)).toMatchObject({ seq: live.seq, subject: Subjects.job('live') });
      await sub.stop();
    });

    it('subscribe - filter delivers the matching aggregates only', async () => {
      const got: number[] = [];
      const sub = h.log.subscribe({ filter: Subjects.job('even'), from: { seq: 1 } }, (c) => {
        got.push(...priorities([c]));
      });
      await sub.caughtUp;
      expect(got).toEqual([2, 4, 6, 8, 10]);
      await sub.stop();
    });

    it('subscribe - from a time starts at the first commit stored at or after it', async () => {
      // Clear of earlier commits on both sides: Date has millisecond resolution.
      await new Promise((r) => setTimeout(r, 20));
      const start = new Date();
      await new Promise((r) => setTimeout(r, 20));
      const a = await h.log.append(Subjects.job('timed'), [queued(1)], meta(), 0);
      const b = await h.log.append(Subjects.job('timed'), [queued(2)], meta(), a.seq);

      const got: number[] = [];
      const sub = h.log.subscribe({ from: { time: start } }, (c) => {
        got.push(c.seq);
      });
      await sub.caughtUp;
      expect(got).toEqual([a.seq, b.seq]);
      await sub.stop();
    });

    it('subscribe - an empty range is caught up at once', async () => {
      const sub = h.log.subscribe({ filter: Subjects.job('nothing-here') }, () => undefined);
      await sub.caughtUp;
      await sub.stop();
    });

    it('subscribe - awaits each handler before the next commit', async () => {
      let inFlight = 0;
      let maxInFlight = 0;
      const got: number[] = [];
      const sub = h.log.subscribe({ from: { seq: 1 }, filter: Subjects.job('odd') }, async (c) => {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        got.push(c.seq);
        inFlight--;
      });
      await sub.caughtUp;
      expect(maxInFlight).toBe(1);
      expect(got).toEqual([seqs[0], seqs[2], seqs[4], seqs[6], seqs[8]]);
      await sub.stop();
    });

    it('subscribe - a failing handler is retried on the same commit, never skipped', async () => {
      const got: number[] = [];
      const errors: unknown[] = [];
      let failures = 2;
      const sub = h.log.subscribe({ filter: Subjects.job('even'), onError: (err) => errors.push(err) }, (c) => {
        if (c.seq === seqs[3] && failures-- > 0) throw new Error('projection hiccup');
        got.push(c.seq);
      });
      await sub.caughtUp;
      expect(got).toEqual([seqs[1], seqs[3], seqs[5], seqs[7], seqs[9]]);
      expect(errors).toHaveLength(2);
      await sub.stop();
    });

    it('subscribe - stop waits for the handler in flight and delivers nothing after', async () => {
      let calls = 0;
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const sub = h.log.subscribe({ from: { seq: 1 } }, async () => {
        calls++;
        await gate;
      });
      await eventually(() => calls === 1);
      const stopped = sub.stop();
      release();
      await stopped;
      await new Promise((r) => setTimeout(r, 50));
      expect(calls).toBe(1);
    });

    it('subscribe - stop right after subscribing returns', async () => {
      await h.log.subscribe({}, () => undefined).stop();
      await h.log.subscribe({ from: { time: new Date() } }, () => undefined).stop();
    });

    it('replay - delivers everything up to the current end, then resolves with it', async () => {
      const got: number[] = [];
      const end = await h.log.replay((c) => void got.push(c.seq));
      expect(end).toBe(await h.log.lastSeq());
      expect(got).toEqual([...Array(end).keys()].map((i) => i + 1));
    });

    it('replay - from a sequence with a filter', async () => {
      const got: number[] = [];
      const end = await h.log.replay((c) => void got.push(...priorities([c])), { filter: Subjects.job('odd'), fromSeq: seqs[4] });
      expect(got).toEqual([5, 7, 9]);
      expect(end).toBe(await h.log.lastSeq());
    });

    it('replay - a throwing handler rejects the replay', async () => {
      await expect(
        h.log.replay(() => {
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
    });
  });
}
