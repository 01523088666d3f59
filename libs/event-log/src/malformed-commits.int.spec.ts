import { jetstream } from '@nats-io/jetstream';
import { Subjects } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { meta, queued, startEventLog } from '@trainyard/testing/event-log';
import type { MalformedCommit } from './errors';

/** Bytes on an event subject that are not a commit: every way of reading the log hands them over in order. */
describe('JetStreamEventLog - commits that do not decode', () => {
  it('subscribe, replay and consume hand them to onMalformed with their bytes, in order, and go on', async () => {
    await using fx = await startEventLog();
    const subject = Subjects.job('j1');
    await fx.log.append(subject, [queued(1)], meta(), 'any');
    const garbage = new TextEncoder().encode('\u0000not json');
    const { seq: bad } = await jetstream(fx.nc).publish(subject, garbage);
    const { seq: last } = await fx.log.append(subject, [queued(2)], meta(), 'any');

    const seen = (into: string[]) => ({
      commit: (c: { seq: number }) => void into.push(`commit ${c.seq}`),
      malformed: (e: MalformedCommit) => void into.push(`malformed ${e.seq} ${Buffer.from(e.payload!).equals(Buffer.from(garbage))} ${e.poison}`),
    });

    const replayed: string[] = [];
    await fx.log.replay(seen(replayed).commit, { onMalformed: seen(replayed).malformed });
    const expected = [`commit ${bad - 1}`, `malformed ${bad} true true`, `commit ${last}`];
    expect(replayed).toEqual(expected);
    await expect(fx.log.replay(() => undefined)).rejects.toMatchObject({ name: 'MalformedCommit', seq: bad });

    const live: string[] = [];
    const sub = fx.log.subscribe({ onMalformed: seen(live).malformed }, seen(live).commit);
    await sub.caughtUp;
    await sub.stop();
    expect(live).toEqual(expected);

    // A durable consumer terminates it and delivers the next at once: not after its 10 s ack wait
    // (2.9 ignores a `+TERM` with a reason, which is what stalled it before).
    const consumed: string[] = [];
    const started = Date.now();
    const durable = fx.log.consume('malformed_test', subject, seen(consumed).commit, { onMalformed: seen(consumed).malformed, onError: () => undefined });
    while (consumed.length < 3 && Date.now() - started < 8_000) await new Promise((r) => setTimeout(r, 20));
    await durable.stop();
    expect(consumed).toEqual(expected);
  });
});
