import { describe, expect, it } from 'vitest';
import type { LogBatch } from './log-line';
import { type LogPublish, LogShipper } from './log-shipper';

/** A publisher that records what it was given; `fail` makes the next n publishes throw. */
function recorder(fail = 0) {
  const sent: Array<{ subject: string; msgId: string; batch: LogBatch }> = [];
  const publish: LogPublish = async (subject, body, msgId) => {
    if (fail-- > 0) throw new Error('no responders');
    sent.push({ subject, msgId, batch: JSON.parse(new TextDecoder().decode(body)) });
  };
  return { sent, publish };
}
const base = { jobId: 'j1', task: 'worker-0', attempt: 2, now: () => new Date('2026-03-13T10:00:00Z') };

describe('log shipper', () => {
  it('log shipper - lines are numbered from 1 and batched by count, in order, with a stable msg id', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, maxLines: 500 });
    for (let i = 1; i <= 1200; i++) s.push(i % 3 === 0 ? 'stderr' : 'stdout', `line ${i}`);
    await s.flush();
    expect(sent.map((m) => m.batch.lines.length)).toEqual([500, 500, 200]);
    expect(sent.map((m) => m.msgId)).toEqual(['j1/worker-0/2/1', 'j1/worker-0/2/501', 'j1/worker-0/2/1001']);
    expect(sent.every((m) => m.subject === 'ty.log.j1.worker-0')).toBe(true);
    const lines = sent.flatMap((m) => m.batch.lines);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(lines[2]).toEqual({ seq: 3, ts: '2026-03-13T10:00:00.000Z', stream: 'stderr', text: 'line 3' });
    expect(sent[0].batch).toMatchObject({ jobId: 'j1', task: 'worker-0', attempt: 2 });
  });

  it('log shipper - a partial batch goes out without a flush after the interval', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, flushIntervalMs: 10 });
    s.push('stdout', 'only');
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(sent.map((m) => m.batch.lines.map((l) => l.text))).toEqual([['only']]);
  });

  it('log shipper - a failed publish is resent as the same batch with the same msg id', async () => {
    const { sent, publish } = recorder(2);
    const errors: unknown[] = [];
    const s = new LogShipper({ ...base, publish, retryDelayMs: 1, onError: (e) => errors.push(e) });
    s.push('stdout', 'a');
    s.push('stdout', 'b');
    await s.flush();
    expect(errors).toHaveLength(2);
    expect(sent).toHaveLength(1);
    expect(sent[0].msgId).toBe('j1/worker-0/2/1');
    expect(sent[0].batch.lines.map((l) => l.text)).toEqual(['a', 'b']);
  });

  it('log shipper - batches stay under the byte limit', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, maxBytes: 1000 });
    for (let i = 0; i < 10; i++) s.push('stdout', 'x'.repeat(300));
    await s.flush();
    expect(sent.map((m) => m.batch.lines.length)).toEqual([2, 2, 2, 2, 2]);
  });

  it('log shipper - above the high-water mark push asks the task to wait until lines are stored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = new LogShipper({ ...base, publish: () => gate, highWaterLines: 4, maxLines: 2 });
    const results = ['1', '2', '3', '4', '5'].map((t) => s.push('stdout', t));
    expect(results.slice(0, 4).every((r) => r === undefined)).toBe(true);
    expect(results[4]).toBeInstanceOf(Promise);
    release();
    await results[4];
    await s.flush();
  });

  it('log shipper - abandon rejects waiting flushes', async () => {
    const s = new LogShipper({ ...base, publish: () => new Promise(() => {}) });
    s.push('stdout', 'stuck');
    const f = s.flush();
    s.abandon();
    await expect(f).rejects.toThrow(/abandoned/);
  });

  it('log shipper - flush with nothing pushed resolves at once', async () => {
    await new LogShipper({ ...base, publish: recorder().publish }).flush();
  });
});
