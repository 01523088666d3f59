import { Subjects } from '@trainyard/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamVersionConflict } from './errors';
import { meta, priorities, queued, startEventLog, type EventLogFixture } from './event-log-fixture';

describe('JetStreamEventLog append/read', () => {
  let fx: EventLogFixture;
  beforeAll(async () => {
    fx = await startEventLog();
  });
  afterAll(() => fx?.[Symbol.asyncDispose]());

  it('append/read - round trip keeps events, meta, subject and order', async () => {
    const subject = Subjects.job('round-trip');
    const m1 = { ...meta(), causationId: 'cause-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    const a = await fx.log.append(subject, [queued(1), queued(2)], m1, 0);
    const b = await fx.log.append(subject, [queued(3)], meta(), a.seq);

    const history = await fx.log.read(subject);

    expect(history.lastSeq).toBe(b.seq);
    expect(history.commits.map((c) => c.seq)).toEqual([a.seq, b.seq]);
    expect(history.commits.every((c) => c.subject === subject)).toBe(true);
    expect(priorities(history.commits)).toEqual([1, 2, 3]);
    expect(history.commits[0].meta).toEqual(m1);
    expect(history.commits[0].events[0]).toEqual(queued(1));
  });

  it('read - an aggregate without commits has lastSeq 0', async () => {
    expect(await fx.log.read(Subjects.job('never-written'))).toEqual({ commits: [], lastSeq: 0 });
  });

  it('read - other aggregates do not leak into the history', async () => {
    const [x, y] = [Subjects.node('x'), Subjects.node('y')];
    await fx.log.append(x, [queued(10)], meta(), 0);
    await fx.log.append(y, [queued(20)], meta(), 0);
    await fx.log.append(x, [queued(11)], meta(), 'any');
    expect(priorities((await fx.log.read(x)).commits)).toEqual([10, 11]);
    expect(priorities((await fx.log.read(y)).commits)).toEqual([20]);
  });

  it('read - a history longer than one batch comes back whole', async () => {
    const small = await fx.connect('small-batches', { batch: 7 });
    const subject = Subjects.job('long');
    let seq = 0;
    for (let i = 0; i < 30; i++) seq = (await small.append(subject, [queued(i)], meta(), seq)).seq;
    const history = await small.read(subject);
    expect(priorities(history.commits)).toEqual([...Array(30).keys()]);
    expect(history.lastSeq).toBe(seq);
  });

  it('append - a stale expected sequence throws StreamVersionConflict', async () => {
    const subject = Subjects.job('conflict');
    const first = await fx.log.append(subject, [queued(1)], meta(), 0);

    const stale = fx.log.append(subject, [queued(2)], meta(), 0);
    await expect(stale).rejects.toBeInstanceOf(StreamVersionConflict);
    const err = (await stale.catch((e: unknown) => e)) as StreamVersionConflict;
    expect(err).toMatchObject({ subject, expected: 0, actual: first.seq, retryable: true, code: 'CONFLICT' });

    expect((await fx.log.read(subject)).commits).toHaveLength(1);
  });

  it('append - expected 0 on an existing aggregate conflicts, on a new one succeeds', async () => {
    const subject = Subjects.job('create-once');
    await fx.log.append(subject, [queued(1)], meta(), 0);
    await expect(fx.log.append(subject, [queued(1)], meta(), 0)).rejects.toBeInstanceOf(StreamVersionConflict);
  });

  it('append - two writers deciding on the same version: exactly one wins', async () => {
    const subject = Subjects.job('race');
    const base = await fx.log.append(subject, [queued(0)], meta(), 0);
    const other = await fx.connect('writer-2');

    const results = await Promise.allSettled([
      fx.log.append(subject, [queued(1)], meta(), base.seq),
      other.append(subject, [queued(2)], meta(), base.seq),
    ]);

    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(StreamVersionConflict);
    expect((await fx.log.read(subject)).commits).toHaveLength(2);
  });

  it('append - the same command id is stored once', async () => {
    const subject = Subjects.job('dup');
    const m = meta();
    const first = await fx.log.append(subject, [queued(1)], m, 0);
    // A retry after a lost ack: same command, same expectation, which is now stale.
    const again = await fx.log.append(subject, [queued(1)], m, 0);
    const anyAgain = await fx.log.append(subject, [queued(1)], m, 'any');

    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    expect(anyAgain).toEqual({ seq: first.seq, duplicate: true });
    expect((await fx.log.read(subject)).commits).toHaveLength(1);
  });

  it('append - one command may commit to several aggregates', async () => {
    const m = meta();
    const a = await fx.log.append(Subjects.job('multi'), [queued(1)], m, 0);
    const b = await fx.log.append(Subjects.node('multi'), [queued(2)], m, 0);
    expect(b.duplicate).toBe(false);
    expect(b.seq).toBeGreaterThan(a.seq);
    expect((await fx.log.read(Subjects.node('multi'))).commits).toHaveLength(1);
  });

  it('append - rejects wildcards and empty commits', async () => {
    await expect(fx.log.append('ty.ev.job.*', [queued(1)], meta(), 'any')).rejects.toThrow(TypeError);
    await expect(fx.log.append('ty.ev.>', [queued(1)], meta(), 'any')).rejects.toThrow(TypeError);
    await expect(fx.log.append(Subjects.job('empty'), [], meta(), 'any')).rejects.toThrow(TypeError);
  });

  it('lastSeq - follows the stream end', async () => {
    const before = await fx.log.lastSeq();
    const { seq } = await fx.log.append(Subjects.job('last'), [queued(1)], meta(), 'any');
    expect(seq).toBe(before + 1);
    expect(await fx.log.lastSeq()).toBe(seq);
  });
});
