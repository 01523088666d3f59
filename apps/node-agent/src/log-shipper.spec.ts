import { expandLogBatch, type LogBatch } from '@trainyard/contracts';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LogPublish, LogShipper } from './log-shipper';
import { LogSpool } from './log-spool';

/** A publisher that records what it was given; `fail` makes the next n publishes throw. */
function recorder(fail = 0) {
  const sent: Array<{ subject: string; msgId: string; batch: LogBatch }> = [];
  const publish: LogPublish = async (subject, body, msgId) => {
    if (fail-- > 0) throw new Error('no responders');
    sent.push({ subject, msgId, batch: JSON.parse(new TextDecoder().decode(body)) });
  };
  return { sent, publish };
}
const T0 = Date.parse('2026-03-13T10:00:00Z');
const base = { jobId: 'j1', task: 'worker-0', attempt: 2, nodeId: 'n1', now: () => new Date(T0) };
const linesOf = (sent: Array<{ batch: LogBatch }>) => sent.filter((m) => !m.batch.piece).flatMap((m) => expandLogBatch(m.batch));
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'ty-spool-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('log shipper', () => {
  it('log shipper - lines are numbered from 1 and batched by count, in order, with a stable msg id', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, maxLines: 500 });
    for (let i = 1; i <= 1200; i++) s.push(i % 3 === 0 ? 'stderr' : 'stdout', `line ${i}`);
    await s.flush();
    expect(sent.map((m) => m.batch.lines.length)).toEqual([500, 500, 200]);
    expect(sent.map((m) => m.msgId)).toEqual(['j1/worker-0/2/1', 'j1/worker-0/2/501', 'j1/worker-0/2/1001']);
    expect(sent.every((m) => m.subject === 'ty.log.j1.worker-0.n1')).toBe(true);
    const lines = linesOf(sent);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
    expect(lines[2]).toEqual({ seq: 3, ts: T0, stream: 'stderr', text: 'line 3' });
    expect(sent[0].batch).toMatchObject({ v: 2, jobId: 'j1', task: 'worker-0', attempt: 2, firstSeq: 1 });
  });

  it('log shipper - a partial batch goes out without a flush after the interval', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, flushIntervalMs: 10 });
    s.push('stdout', 'only');
    while (sent.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(sent.map((m) => m.batch.lines)).toEqual([['only']]);
  });

  it('log shipper - a failed publish is resent as the same batch with the same msg id', async () => {
    const { sent, publish } = recorder(2);
    const errors: unknown[] = [];
    const s = new LogShipper({ ...base, publish, retryDelayMs: 1, onError: (e) => errors.push(e) });
    s.push('stdout', 'a');
    s.push('stdout', 'b');
    await s.flush();
    expect(errors).toHaveLength(2);
    expect(sent.map((m) => [m.msgId, m.batch.lines])).toEqual([['j1/worker-0/2/1', ['a', 'b']]]);
  });

  it('log shipper - batches stay under the byte limit, and a JSON body over the payload limit is halved', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, maxBytes: 1000 });
    for (let i = 0; i < 10; i++) s.push('stdout', 'x'.repeat(300));
    await s.flush();
    expect(sent.map((m) => m.batch.lines.length)).toEqual([3, 3, 3, 1]);

    const escapes = recorder();
    const e = new LogShipper({ ...base, publish: escapes.publish, maxPayload: 2000 });
    for (let i = 0; i < 8; i++) e.push('stdout', '\u0001'.repeat(100)); // 6 JSON bytes per character
    await e.flush();
    expect(escapes.sent.every((m) => JSON.stringify(m.batch).length <= 2000)).toBe(true);
    expect(linesOf(escapes.sent).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('log shipper - bytes that are not UTF-8 travel as base64 beside a readable text', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish });
    s.push('stdout', 'plain');
    s.push('stderr', new Uint8Array([0x61, 0xff, 0x00, 0x62]));
    await s.flush();
    const [, bad] = linesOf(sent);
    expect(bad).toMatchObject({ seq: 2, stream: 'stderr', text: 'a\uFFFD\uFFFDb', raw: Buffer.from([0x61, 0xff, 0, 0x62]).toString('base64') });
  });

  it('log shipper - a line longer than a message travels in pieces, with its own seq, between whole batches', async () => {
    const { sent, publish } = recorder();
    const s = new LogShipper({ ...base, publish, maxBytes: 1000 });
    s.push('stdout', 'before');
    const long = 'é'.repeat(2000); // 4000 bytes
    s.push('stderr', long);
    s.push('stdout', 'after');
    await s.flush();
    const pieces = sent.filter((m) => m.batch.piece);
    expect(pieces.map((m) => [m.msgId, m.batch.piece!.index, m.batch.piece!.last])).toEqual(
      Array.from({ length: 6 }, (_, i) => [`j1/worker-0/2/2/p${i}`, i, i === 5]),
    );
    expect(Buffer.concat(pieces.map((m) => Buffer.from(m.batch.piece!.data, 'base64'))).toString()).toBe(long);
    expect(pieces[0].batch.piece!.stream).toBe('stderr');
    expect(linesOf(sent).map((l) => [l.seq, l.text])).toEqual([[1, 'before'], [3, 'after']]);
    expect(sent.indexOf(pieces[0])).toBe(1);
  });

  it('log shipper - close() marks the last batch eof, or sends an empty eof batch, and resolves once stored', async () => {
    const a = recorder();
    const s = new LogShipper({ ...base, publish: a.publish });
    s.push('stdout', 'x');
    await s.close();
    expect(a.sent.map((m) => [m.msgId, m.batch.lines, m.batch.eof])).toEqual([['j1/worker-0/2/1', ['x'], true]]);
    s.push('stdout', 'ignored after close');
    expect(s.lineCount).toBe(1);

    const b = recorder();
    const t = new LogShipper({ ...base, publish: b.publish });
    t.push('stdout', 'y');
    await t.flush();
    await t.close();
    expect(b.sent.map((m) => [m.msgId, m.batch.firstSeq, m.batch.lines.length, m.batch.eof])).toEqual([
      ['j1/worker-0/2/1', 1, 1, undefined],
      ['j1/worker-0/2/2/eof', 2, 0, true],
    ]);
  });

  it('log shipper - without a spool, a full memory budget asks the task to wait until lines are stored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = new LogShipper({ ...base, publish: () => gate, memoryBytes: 300, maxLines: 2 });
    const results = Array.from({ length: 12 }, (_, i) => s.push('stdout', `line ${i}`));
    expect(results[0]).toBeUndefined();
    expect(results.at(-1)).toBeInstanceOf(Promise);
    release();
    await results.at(-1);
    await s.flush();
  });

  it('log shipper - while publishing fails, the backlog goes to the disk spool and is sent in order afterwards', async () => {
    let down = true;
    const sent: LogBatch[] = [];
    const publish: LogPublish = async (_s, body) => {
      if (down) throw new Error('NATS unreachable');
      sent.push(JSON.parse(Buffer.from(body).toString()));
    };
    const dir = tempDir();
    const spool = new LogSpool({ dir, maxBytes: 10 * 1024 * 1024 });
    const s = new LogShipper({ ...base, publish, spool, memoryBytes: 2000, maxLines: 10, retryDelayMs: 5 });
    const waits = [];
    for (let i = 1; i <= 2000; i++) waits.push(s.push('stdout', `line ${i}`));
    expect(waits.every((w) => w === undefined)).toBe(true); // the spool absorbed it: no back-pressure
    const flushed = s.flush();
    await new Promise((r) => setTimeout(r, 50));
    expect(spool.bytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['j1.worker-0.2.spool']);
    for (let i = 2001; i <= 2100; i++) s.push('stdout', `line ${i}`);
    down = false;
    await flushed;
    await s.flush();
    expect(sent.flatMap((b) => expandLogBatch(b)).map((l) => l.seq)).toEqual(Array.from({ length: 2100 }, (_, i) => i + 1));
    expect(spool.bytes).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('log shipper - a full spool back-pressures the task; batches left by a dead agent are sent at the next start', async () => {
    const dir = tempDir();
    const spool = new LogSpool({ dir, maxBytes: 3000 });
    const s = new LogShipper({ ...base, publish: () => Promise.reject(new Error('down')), spool, memoryBytes: 500, maxLines: 5, retryDelayMs: 1000 });
    let waited: unknown;
    for (let i = 1; i <= 400 && !waited; i++) waited = s.push('stdout', `line ${i}`);
    expect(waited).toBeInstanceOf(Promise);
    await new Promise((r) => setTimeout(r, 20));
    expect(spool.bytes).toBeGreaterThan(2000);

    // A new agent (new spool object) finds the file and sends what it holds, in order.
    const next = new LogSpool({ dir, maxBytes: 3000 });
    const got: LogBatch[] = [];
    const n = await next.drainLeftovers(async (b) => void got.push(JSON.parse(Buffer.from(b.body).toString())));
    expect(n).toBe(got.length);
    const seqs = got.flatMap((b) => expandLogBatch(b)).map((l) => l.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0] + i));
    expect(readdirSync(dir)).toEqual([]);
    s.abandon();
  });

  it('log shipper - abandoned while NATS is away, every line stays on disk and the next start sends them in order', async () => {
    const dir = tempDir();
    const spool = new LogSpool({ dir, maxBytes: 1500 });
    const s = new LogShipper({ ...base, publish: () => Promise.reject(new Error('down')), spool, memoryBytes: 500, maxLines: 5, retryDelayMs: 1000 });
    for (let i = 1; i <= 300; i++) s.push(i % 2 ? 'stdout' : 'stderr', `line ${i}`);
    await new Promise((r) => setTimeout(r, 20));
    s.abandon();
    await new Promise((r) => setTimeout(r, 20));
    expect(readdirSync(dir).sort()).toEqual(['j1.worker-0.2.0.spool', 'j1.worker-0.2.spool', 'j1.worker-0.2.~.spool']);
    const got: LogBatch[] = [];
    await new LogSpool({ dir, maxBytes: 1500 }).drainLeftovers(async (b) => void got.push(JSON.parse(Buffer.from(b.body).toString())));
    expect(got.flatMap((b) => expandLogBatch(b)).map((l) => l.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
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
