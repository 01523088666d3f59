import { describe, expect, it } from 'vitest';
import { BACKENDS, useBackend } from '@trainyard/testing/db';
import { lastLogAttempt, listLogAttempts, logBytesUpTo, readLogChunks, readLogLines, tailLogLines } from './log-line-queries';
import { searchLogLines } from './log-search-queries';
import { deleteExpiredLogs, type LogChunkInput, readLogCheckpoint, storeLogWrite } from './log-store-queries';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const chunk = (attempt: number, firstSeq: number, lines: string[], extra: Partial<LogChunkInput> = {}): LogChunkInput => ({
  jobId: 'job-l', task: 'worker-0', attempt, firstSeq, firstTs: T0 + firstSeq * 1000,
  tsOffsets: lines.map((_, i) => i * 10), stderrIdx: [], lines, ...extra,
});
const write = (chunks: LogChunkInput[], seq: number, more: Partial<Parameters<typeof storeLogWrite>[1]> = {}) => ({
  chunks, pieces: [], eofs: [], checkpoint: { name: 'log-router', seq }, ...more,
});
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(BACKENDS)('log store on %s', (backend) => {
  const pg = useBackend(backend);

  it('log store - chunks are stored once, read back line by line in order, with totals and a checkpoint', async () => {
    await using t = await pg.open();
    expect(await lastLogAttempt(t.db, 'job-l', 'worker-0')).toBe(0);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', limit: 10 })).toEqual([]);
    expect(await readLogCheckpoint(t.db, 'log-router')).toBe(0);

    const first = chunk(1, 1, ['one', 'two', 'oops'], { stderrIdx: [2] });
    expect(await storeLogWrite(t.db, write([first], 5))).toEqual([{ jobId: 'job-l', task: 'worker-0', attempt: 1, lastSeq: 3, eof: false }]);
    // A re-delivered batch changes nothing, totals included.
    await storeLogWrite(t.db, write([first, chunk(1, 4, ['four'])], 7));
    await storeLogWrite(t.db, write([chunk(2, 1, ['again'])], 8, { eofs: [{ jobId: 'job-l', task: 'worker-0', attempt: 2, lastSeq: 1, ts: T0 }] }));
    expect(await readLogCheckpoint(t.db, 'log-router')).toBe(8);
    await storeLogWrite(t.db, write([], 6)); // the checkpoint never moves back
    expect(await readLogCheckpoint(t.db, 'log-router')).toBe(8);

    expect(await lastLogAttempt(t.db, 'job-l', 'worker-0')).toBe(2);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', limit: 10 })).toEqual([
      { attempt: 2, seq: 1, ts: iso(T0 + 1000), stream: 'stdout', text: 'again' },
    ]);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', attempt: 1, afterSeq: 1, limit: 2 })).toEqual([
      { attempt: 1, seq: 2, ts: iso(T0 + 1010), stream: 'stdout', text: 'two' },
      { attempt: 1, seq: 3, ts: iso(T0 + 1020), stream: 'stderr', text: 'oops' },
    ]);
    expect(await listLogAttempts(t.db, 'job-l')).toEqual([
      { task: 'worker-0', attempt: 1, lastSeq: 4, bytes: 4 + 4 + 5 + 5, firstTs: iso(T0 + 1000), lastTs: iso(T0 + 4000), eofSeq: null },
      { task: 'worker-0', attempt: 2, lastSeq: 1, bytes: 6, firstTs: iso(T0), lastTs: iso(T0 + 1000), eofSeq: 1 },
    ]);
    expect(await logBytesUpTo(t.db, { jobId: 'job-l', task: 'worker-0', attempt: 1, upToSeq: 3 })).toBe(13);
  });

  it('log store - time ranges, tail, and bytes that are not UTF-8 come back exactly', async () => {
    await using t = await pg.open();
    const raw = Buffer.from([0x61, 0xff, 0x00]).toString('base64');
    await storeLogWrite(t.db, write([chunk(1, 1, ['a', 'b', 'c']), chunk(1, 4, ['d', 'a\uFFFD\uFFFD', 'f'], { raw: { 1: raw } })], 2));
    const q = { jobId: 'job-l', task: 'worker-0', attempt: 1, limit: 100 };
    expect((await readLogLines(t.db, { ...q, from: new Date(T0 + 1010), to: new Date(T0 + 4010) })).map((l) => l.text)).toEqual(['b', 'c', 'd']);
    expect((await tailLogLines(t.db, { ...q, lines: 4 })).map((l) => l.seq)).toEqual([3, 4, 5, 6]);
    expect((await tailLogLines(t.db, { ...q, lines: 100 })).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const [line5] = await readLogLines(t.db, { ...q, afterSeq: 4, limit: 1 });
    expect(line5).toMatchObject({ seq: 5, text: 'a\uFFFD\uFFFD', bytes: raw });
    expect((await readLogChunks(t.db, { ...q, limit: 10 })).map((c) => c.bytes)).toEqual([6, 2 + 4 + 2]);
  });

  it('log store - pieces of a long line are joined once the last one is stored', async () => {
    await using t = await pg.open();
    const piece = (idx: number, last: boolean, data: Buffer) => ({ jobId: 'job-l', task: 'worker-0', attempt: 1, seq: 2, idx, last, ts: T0, stderr: true, data });
    const long = Buffer.from('x'.repeat(5000) + '训练');
    await storeLogWrite(t.db, write([chunk(1, 1, ['before'])], 1, { pieces: [piece(0, false, long.subarray(0, 3000))] }));
    expect((await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', attempt: 1, limit: 10 })).map((l) => l.seq)).toEqual([1]);
    await storeLogWrite(t.db, write([], 2, { pieces: [piece(0, false, long.subarray(0, 3000)), piece(1, true, long.subarray(3000))] }));
    await storeLogWrite(t.db, write([chunk(1, 3, ['after'])], 3));
    const lines = await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', attempt: 1, limit: 10 });
    expect(lines.map((l) => [l.seq, l.stream, l.text.length])).toEqual([[1, 'stdout', 6], [2, 'stderr', 5002], [3, 'stdout', 5]]);
    expect(lines[1].text.endsWith('训练')).toBe(true);
    expect(lines[1].bytes).toBeUndefined();
  });

  it('log search - substring and regular expression across tasks, case-insensitive, paged, and a bad pattern is an error', async () => {
    await using t = await pg.open();
    await storeLogWrite(t.db, write([
      chunk(1, 1, ['epoch 1 loss=0.9', 'epoch 2 loss=0.5', 'done']),
      { ...chunk(1, 1, ['ERROR: NCCL timeout', 'epoch 1 loss=0.8']), task: 'worker-1', stderrIdx: [0] },
    ], 1));
    const q = { jobId: 'job-l', regex: false, ignoreCase: false, limit: 10, timeoutMs: 5000 };
    expect((await searchLogLines(t.db, { ...q, pattern: 'loss=' })).map((h) => [h.task, h.seq])).toEqual([
      ['worker-0', 1], ['worker-0', 2], ['worker-1', 2],
    ]);
    const [err] = await searchLogLines(t.db, { ...q, pattern: 'nccl', ignoreCase: true });
    expect(err).toEqual({ task: 'worker-1', attempt: 1, seq: 1, ts: iso(T0 + 1000), stream: 'stderr', text: 'ERROR: NCCL timeout' });
    expect((await searchLogLines(t.db, { ...q, pattern: 'loss=0\\.[5-8]$', regex: true })).map((h) => h.text)).toEqual(['epoch 2 loss=0.5', 'epoch 1 loss=0.8']);
    expect((await searchLogLines(t.db, { ...q, pattern: '^done', regex: true })).map((h) => h.seq)).toEqual([3]);
    const page1 = await searchLogLines(t.db, { ...q, pattern: 'epoch', limit: 2 });
    const page2 = await searchLogLines(t.db, { ...q, pattern: 'epoch', limit: 2, after: page1[1] });
    expect([...page1, ...page2].map((h) => `${h.task}/${h.seq}`)).toEqual(['worker-0/1', 'worker-0/2', 'worker-1/2']);
    await expect(searchLogLines(t.db, { ...q, pattern: '(unclosed', regex: true })).rejects.toThrow(/regular expression/);
  });

  it('log retention - expired chunks go, the rest stays', async () => {
    await using t = await pg.open();
    await storeLogWrite(t.db, write([chunk(1, 1, ['old']), { ...chunk(1, 1, ['new']), jobId: 'job-n', firstTs: T0 + 40 * 86_400_000 }], 1));
    expect(await deleteExpiredLogs(t.db, new Date(T0 + 30 * 86_400_000))).toBe(1);
    expect(await readLogLines(t.db, { jobId: 'job-l', task: 'worker-0', attempt: 1, limit: 10 })).toEqual([]);
    expect(await listLogAttempts(t.db, 'job-l')).toEqual([]);
    expect((await readLogLines(t.db, { jobId: 'job-n', task: 'worker-0', attempt: 1, limit: 10 })).map((l) => l.text)).toEqual(['new']);
  });
});
