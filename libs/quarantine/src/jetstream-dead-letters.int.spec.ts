import { jetstream } from '@nats-io/jetstream';
import { event, type StoredCommit, Subjects } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { startNatsServer } from '@trainyard/testing';
import { describe, expect, it } from 'vitest';
import { JetStreamDeadLetters } from './jetstream-dead-letters';
import { Quarantine, withQuarantine } from './quarantine';

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const registered = (nodeId: string, host: string) =>
  event('NodeRegistered', '2026-03-01T08:00:00.000Z', { nodeId, host, pool: 'default', capacity: { cpu: 1, memoryMiB: 1, gpu: 0, npu: 0 }, labels: {} });

describe('quarantine on a JetStream durable consumer (the node agent shape), with TY_DEAD_LETTERS', () => {
  it('withQuarantine - a commit the handler cannot take is a dead letter after maxAttempts deliveries; the next commit is handled', async () => {
    await using nats = await startNatsServer();
    const nc = await connectNats(nats.url, 'quarantine-test');
    try {
      await ensureStreams(nc);
      const log = new JetStreamEventLog(nc);
      const subject = Subjects.node('n1');
      const meta = (id: string) => ({ commandId: id, correlationId: id, actor: 'test' });
      const bad = await log.append(subject, [registered('n1', 'poison')], meta('c1'), 'any');
      const good = await log.append(subject, [registered('n1', 'fine')], meta('c2'), 'any');
      const garbage = await jetstream(nc).publish(subject, new TextEncoder().encode('not a commit'));
      const after = await log.append(subject, [registered('n1', 'after')], meta('c3'), 'any');

      const sink = new JetStreamDeadLetters(nc);
      const quarantine = new Quarantine({ consumer: 'node-agent.n1', sink, policy: { maxAttempts: 3, baseDelayMs: 20 } });
      const handled: string[] = [];
      const deliveries = new Map<number, number>();
      const handler = async (commit: StoredCommit, ctx: { deliveryCount: number }) => {
        deliveries.set(commit.seq, ctx.deliveryCount);
        const host = (commit.events[0].data as { host: string }).host;
        // A handler bug on this one commit's data (no classified error: unknown counts as deterministic).
        if (host === 'poison') throw new TypeError(`cannot handle ${host}`);
        handled.push(host);
      };
      const sub = log.consume('agent_n1', subject, withQuarantine(handler, quarantine), {
        onMalformed: async (err) => void (await quarantine.malformed(err)),
        onError: () => undefined,
      });
      try {
        await until(() => (handled.includes('after') ? true : undefined));
        expect(handled).toEqual(['fine', 'after']);
        expect(deliveries.get(bad.seq)).toBe(3);

        const letters = await sink.list();
        expect(letters.map((l) => [l.seq, l.code, l.attempts])).toEqual([
          [garbage.seq, 'MalformedCommit', 1],
          [bad.seq, 'TypeError', 3],
        ]);
        expect(letters[0]).toMatchObject({ stream: 'TY_EVENTS', subject, payloadBytes: 12 });
        expect(letters[1]).toMatchObject({ consumer: 'node-agent.n1', stream: 'TY_EVENTS', subject, message: 'cannot handle poison', state: 'quarantined', retryable: false });
        expect(Buffer.from((await sink.payload(Number(letters[0].id.slice(3))))!).toString()).toBe('not a commit');
        expect(await sink.summary()).toEqual({ count: 2, latest: letters[0] });

        // Dismissed letters are gone from the count.
        expect(await sink.dismiss(Number(letters[0].id.slice(3)))).toBe(true);
        expect((await sink.summary()).count).toBe(1);
        expect(good.seq).toBeLessThan(after.seq);
      } finally {
        await sub.stop();
      }
    } finally {
      await nc.close();
    }
  });

  it('Quarantine.failed - an outage is retried forever, and a letter that cannot be stored is a retry, never a loss', async () => {
    let calls = 0;
    const quarantine = new Quarantine({
      consumer: 'c',
      // The first store fails (the dead-letter stream unreachable), the next ones succeed.
      sink: {
        record: async () => {
          if (calls++ === 0) throw new Error('NATS away');
        },
      },
      policy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 40 },
    });
    const ref = { stream: 'TY_EVENTS', seq: 9, subject: 'ty.ev.node.n1' };
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(await quarantine.failed(ref, outage, 1_000)).toMatchObject({ action: 'retry', delayMs: 40 });
    expect(calls).toBe(0);
    const data = Object.assign(new Error('bad'), { code: '22P05' });
    expect(await quarantine.failed(ref, data, 1)).toMatchObject({ action: 'retry', delayMs: 10 });
    expect(await quarantine.failed(ref, data, 2)).toMatchObject({ action: 'retry', delayMs: 40 });
    expect(await quarantine.failed(ref, data, 3)).toMatchObject({ action: 'quarantined', letter: { seq: 9, code: '22P05', attempts: 3 } });
    expect(calls).toBe(2);
  });
});
