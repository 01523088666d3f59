import { expandLogBatch, Streams, Subjects, type LogBatch } from '@trainyard/contracts';
import { connectNats, ensureStreams } from '@trainyard/event-log';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetStreamLogPublish, type LogPublish, LogShipper } from './log-shipper';

let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connectNats(nats.url, 'log-shipper-test');
  await ensureStreams(nc);
  jsm = await jetstreamManager(nc);
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

/** Every TY_LOGS message on one subject, in stream order. */
async function stored(subject: string): Promise<Array<{ msgId: string | undefined; batch: LogBatch }>> {
  const out: Array<{ msgId: string | undefined; batch: LogBatch }> = [];
  const last = (await jsm.streams.info(Streams.logs)).state.last_seq;
  for (let seq = 1; seq <= last; seq++) {
    const m = await jsm.streams.getMessage(Streams.logs, { seq }).catch(() => null);
    if (m?.subject === subject) out.push({ msgId: m.header?.get('Nats-Msg-Id'), batch: m.json<LogBatch>() });
  }
  return out;
}

describe('log shipper against nats-server', () => {
  it('log shipper - every line lands on ty.log.<job>.<task> in TY_LOGS, in order, the last batch marked eof', async () => {
    const s = new LogShipper({ publish: jetStreamLogPublish(jetstream(nc)), jobId: 'job-a', task: 'worker-0', attempt: 1, nodeId: 'node-s', maxLines: 500 });
    for (let i = 1; i <= 1234; i++) s.push(i % 2 ? 'stdout' : 'stderr', `line ${i}`);
    s.push('stdout', 'last line, no newline');
    await s.close();
    const msgs = await stored(Subjects.log('job-a', 'worker-0', 'node-s'));
    expect(msgs.every((m) => m.batch.lines.length <= 500)).toBe(true);
    expect(msgs[0].msgId).toBe('job-a/worker-0/1/1');
    expect(msgs.map((m) => m.msgId)).toEqual(msgs.map((m) => `job-a/worker-0/1/${m.batch.firstSeq}`));
    expect(msgs.map((m) => m.batch.eof)).toEqual(msgs.map((_, i) => (i === msgs.length - 1 ? true : undefined)));
    const lines = msgs.flatMap((m) => expandLogBatch(m.batch));
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 1235 }, (_, i) => i + 1));
    expect(lines.at(-1)).toMatchObject({ stream: 'stdout', text: 'last line, no newline' });
    expect(lines[1]).toMatchObject({ stream: 'stderr', text: 'line 2' });
  });

  it('log shipper - a batch resent after a lost ack is stored once', async () => {
    const real = jetStreamLogPublish(jetstream(nc));
    let lostAcks = 1;
    // The first publish is stored but its ack "lost": the shipper resends the same batch.
    const publish: LogPublish = async (subject, body, msgId) => {
      await real(subject, body, msgId);
      if (lostAcks-- > 0) throw new Error('timeout');
    };
    const s = new LogShipper({ publish, jobId: 'job-b', task: 'worker-0', attempt: 3, nodeId: 'node-s', retryDelayMs: 1 });
    s.push('stdout', 'once');
    await s.flush();
    const msgs = await stored(Subjects.log('job-b', 'worker-0', 'node-s'));
    expect(msgs).toHaveLength(1);
    expect(msgs[0].batch).toMatchObject({ attempt: 3, firstSeq: 1, lines: ['once'] });
  });
});
