import { Subjects } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meta, priorities, queued, startEventLog, testEventLog, type EventLogFixture } from '@trainyard/testing/event-log';

testEventLog('JetStreamEventLog', async () => {
  const fx = await startEventLog();
  return { log: fx.log, other: (name) => fx.connect(name), [Symbol.asyncDispose]: () => fx[Symbol.asyncDispose]() };
});

describe('JetStreamEventLog batching', () => {
  let fx: EventLogFixture;
  beforeAll(async () => {
    fx = await startEventLog();
  });
  afterAll(() => fx?.[Symbol.asyncDispose]());

  it('read - a history longer than one pull comes back whole', async () => {
    const small = await fx.connect('small-batches', { batch: 7 });
    const subject = Subjects.job('long');
    let seq = 0;
    for (let i = 0; i < 30; i++) seq = (await small.append(subject, [queued(i)], meta(), seq)).seq;
    const history = await small.read(subject);
    expect(priorities(history.commits)).toEqual([...Array(30).keys()]);
    expect(history.lastSeq).toBe(seq);
  });

  it('replay and subscribe - many small pulls deliver everything once, in order', async () => {
    const small = await fx.connect('small-pulls', { batch: 3 });
    for (let i = 0; i < 20; i++) await fx.log.append(Subjects.node(`n${i % 4}`), [queued(i)], meta(), 'any');
    const end = await fx.log.lastSeq();
    const everything = [...Array(end).keys()].map((i) => i + 1);

    const replayed: number[] = [];
    expect(await small.replay((c) => void replayed.push(c.seq))).toBe(end);
    expect(replayed).toEqual(everything);

    const live: number[] = [];
    const sub = small.subscribe({}, (c) => void live.push(c.seq));
    await sub.caughtUp;
    await sub.stop();
    expect(live).toEqual(everything);
  });
});
