import { Subjects } from '@trainyard/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLogUnavailable } from './errors';
import type { EventLog } from './event-log';
import { eventually, meta, queued, startEventLog, type EventLogFixture } from '@trainyard/testing/event-log';

/** Appends, retrying with the same command id through an outage (the documented recipe). */
async function appendThroughOutage(log: EventLog, subject: string, n: number): Promise<number> {
  const m = meta(`restart-${subject}-${n}`);
  for (;;) {
    try {
      return (await log.append(subject, [queued(n)], m, 'any')).seq;
    } catch (err) {
      if (!(err instanceof EventLogUnavailable)) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('JetStreamEventLog across a NATS restart', { timeout: 60_000 }, () => {
  let fx: EventLogFixture | undefined;
  afterEach(async () => {
    await fx?.[Symbol.asyncDispose]();
    fx = undefined;
  });

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`subscribe - survives a server restart (${signal}) delivering every commit exactly once, in order`, async () => {
      fx = await startEventLog({ timeoutMs: 2_000 });
      const { log, server } = fx;
      const writer = await fx.connect('writer', { timeoutMs: 2_000 });
      const subject = Subjects.job('through-restart');

      const got: number[] = [];
      const sub = log.subscribe({ filter: 'ty.ev.job.>', onError: () => undefined }, (c) => {
        got.push(c.seq);
      });
      await sub.caughtUp;

      const written: number[] = [];
      for (let i = 1; i <= 20; i++) written.push(await appendThroughOutage(writer, subject, i));
      await eventually(() => got.length >= 20);

      await server.restart({ signal });
      for (let i = 21; i <= 40; i++) written.push(await appendThroughOutage(writer, subject, i));
      await eventually(() => got.length >= 40);

      // And once more while commits are in flight to the subscriber.
      const during = (async () => {
        for (let i = 41; i <= 60; i++) written.push(await appendThroughOutage(writer, subject, i));
      })();
      await server.restart({ signal, downtimeMs: 200 });
      await during;
      await eventually(() => got.length >= 60);
      await new Promise((r) => setTimeout(r, 200));

      expect(got).toEqual(written);
      expect(new Set(got).size).toBe(60);
      await sub.stop();
    });
  }

  it('subscribe - from a time, still waiting for its first commit across a restart', async () => {
    fx = await startEventLog({ timeoutMs: 2_000 });
    const { log, server } = fx;
    await appendThroughOutage(log, Subjects.job('before'), 1);
    const got: number[] = [];
    const sub = log.subscribe({ from: { time: new Date(Date.now() + 100) }, onError: () => undefined }, (c) => void got.push(c.seq));
    await sub.caughtUp;

    await new Promise((r) => setTimeout(r, 150));
    await server.restart({ signal: 'SIGKILL' });
    const seq = await appendThroughOutage(log, Subjects.job('after'), 2);
    await eventually(() => got.length > 0);
    expect(got).toEqual([seq]);
    await sub.stop();
  });

  it('consume - a durable consumer resumes after a server restart without losing commits', async () => {
    fx = await startEventLog({ timeoutMs: 2_000 });
    const { log, server } = fx;
    const subject = Subjects.node('durable-restart');
    const written: number[] = [];
    for (let i = 1; i <= 5; i++) written.push(await appendThroughOutage(log, subject, i));

    const got: number[] = [];
    // A killed 2.9 server forgets confirmed acks and waits the ack wait before redelivering them;
    // a short one keeps the test short (thresholds are configuration, decision 10).
    const sub = log.consume('agent-through-restart', subject, (c) => void got.push(c.seq), {
      ackWaitMs: 1_000,
      onError: () => undefined,
    });
    await sub.caughtUp;

    await server.restart({ signal: 'SIGKILL' });
    for (let i = 6; i <= 10; i++) written.push(await appendThroughOutage(log, subject, i));
    await eventually(() => got.includes(written[9]));

    // At-least-once: a commit whose ack was lost in the crash may come twice, but none is missing
    // and the order holds.
    expect([...new Set(got)]).toEqual(written);
    await sub.stop();
  });

  it('append - a retried command is stored once even when the first ack was lost to a restart', async () => {
    fx = await startEventLog({ timeoutMs: 2_000 });
    const { log, server } = fx;
    const subject = Subjects.job('lost-ack');
    const m = meta();
    const first = await log.append(subject, [queued(1)], m, 0);
    await server.restart({ signal: 'SIGKILL' });
    let again;
    for (;;) {
      try {
        again = await log.append(subject, [queued(1)], m, 0);
        break;
      } catch (err) {
        if (!(err instanceof EventLogUnavailable)) throw err;
      }
    }
    expect(again).toEqual({ seq: first.seq, duplicate: true });
  });
});
