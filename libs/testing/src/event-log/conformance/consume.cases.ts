import { Subjects } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, meta, priorities, queued, type EventLogHarness, type StartHarness } from './harness';

export function consumeCases(start: StartHarness): void {
  describe('consume', () => {
    let h: EventLogHarness;
    beforeAll(async () => {
      h = await start();
    });
    afterAll(() => h?.[Symbol.asyncDispose]());

    it('consume - a throw is redelivered after the retry delay, in order, then acked', async () => {
      const subject = Subjects.node('retry');
      for (let i = 1; i <= 3; i++) await h.log.append(subject, [queued(i)], meta(), 'any');

      const seen: { p: number; n: number }[] = [];
      let failOnce = true;
      const sub = h.log.consume(
        'agent-retry',
        subject,
        (c, ctx) => {
          const p = priorities([c])[0];
          seen.push({ p, n: ctx.deliveryCount });
          if (p === 2 && failOnce) {
            failOnce = false;
            throw new Error('launch failed');
          }
        },
        { retryDelayMs: 50, onError: () => undefined },
      );
      await eventually(() => seen.length === 4);
      // The redelivery of 2 comes before 3: one commit at a time.
      expect(seen).toEqual([
        { p: 1, n: 1 },
        { p: 2, n: 1 },
        { p: 2, n: 2 },
        { p: 3, n: 1 },
      ]);
      await sub.stop();
    });

    it('consume - the position survives a consumer restart', async () => {
      const subject = Subjects.node('restart');
      for (let i = 1; i <= 3; i++) await h.log.append(subject, [queued(i)], meta(), 'any');

      const first: number[] = [];
      const a = h.log.consume('agent-restart', subject, (c) => void first.push(...priorities([c])));
      await a.caughtUp;
      await a.stop();
      expect(first).toEqual([1, 2, 3]);

      for (let i = 4; i <= 5; i++) await h.log.append(subject, [queued(i)], meta(), 'any');
      // A new process: another client, same durable name.
      const other = await h.other('agent-restart-2');
      const second: number[] = [];
      const b = other.consume('agent-restart', subject, (c) => void second.push(...priorities([c])));
      await eventually(() => second.length >= 2);
      await b.caughtUp;
      expect(second).toEqual([4, 5]);
      await b.stop();
    });

    it('consume - a consumer stopped mid-stream hands the rest to the next one', async () => {
      const subject = Subjects.node('handover');
      for (let i = 1; i <= 4; i++) await h.log.append(subject, [queued(i)], meta(), 'any');

      const first: number[] = [];
      const a = h.log.consume('agent-handover', subject, async (c) => {
        first.push(...priorities([c]));
        if (first.length === 2) void a.stop();
      });
      await eventually(() => first.length === 2);
      await a.stop();

      const second: number[] = [];
      const b = h.log.consume('agent-handover', subject, (c) => void second.push(...priorities([c])));
      await b.caughtUp;
      expect(first).toEqual([1, 2]);
      expect(second).toEqual([3, 4]);
      await b.stop();
    });

    it('consume - stop right after consuming returns, and the next consumer gets everything', async () => {
      const subject = Subjects.node('quick-stop');
      await h.log.append(subject, [queued(1)], meta(), 'any');
      await h.log.consume('agent-quick-stop', subject, () => undefined).stop();
      const got: number[] = [];
      const b = h.log.consume('agent-quick-stop', subject, (c) => void got.push(...priorities([c])));
      await eventually(() => got.length > 0);
      expect(got).toEqual([1]);
      await b.stop();
    });

    it('consume - rejects durable names that cannot be subject tokens', () => {
      for (const name of ['', 'a.b', 'a b', 'a*', 'a>']) expect(() => h.log.consume(name, 'ty.ev.>', () => undefined)).toThrow(TypeError);
    });

    it('consume - durables keep independent positions', async () => {
      const subject = Subjects.node('two-durables');
      await h.log.append(subject, [queued(1)], meta(), 'any');
      const [x, y]: number[][] = [[], []];
      const a = h.log.consume('durable-x', subject, (c) => void x.push(c.seq));
      const b = h.log.consume('durable-y', subject, (c) => void y.push(c.seq));
      await Promise.all([a.caughtUp, b.caughtUp]);
      expect(x).toEqual(y);
      expect(x).toHaveLength(1);
      await Promise.all([a.stop(), b.stop()]);
    });
  });
}
