import type { LogBatch } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { LogWriteBuilder } from './log-write-builder';

const enc = (b: Partial<LogBatch>) =>
  Buffer.from(JSON.stringify({ v: 2, jobId: 'j1', task: 'worker-0', attempt: 1, firstSeq: 1, t0: 1000, dt: [], lines: [], ...b }));

describe('log write builder', () => {
  it('log write builder - batches become chunks with offsets from their first line, pieces stay pieces, eof marks the last seq', () => {
    const w = new LogWriteBuilder('log-router');
    w.add(7, enc({ firstSeq: 1, t0: 1000, dt: [5, 6, 9], lines: ['a', 'b', 'c'], err: [1] }));
    w.add(8, enc({ firstSeq: 4, dt: [], lines: [], piece: { index: 0, last: false, data: Buffer.from('xy').toString('base64') } }));
    w.add(9, Buffer.from('not json'));
    w.add(10, enc({ firstSeq: 5, dt: [0], lines: ['z'], raw: { 0: 'eg==' }, eof: true }));
    expect(w.malformed).toEqual([9]);
    expect(w.lines).toBe(4);
    expect(w.build()).toEqual({
      checkpoint: { name: 'log-router', seq: 10 },
      chunks: [
        { jobId: 'j1', task: 'worker-0', attempt: 1, firstSeq: 1, firstTs: 1005, tsOffsets: [0, 1, 4], stderrIdx: [1], lines: ['a', 'b', 'c'] },
        { jobId: 'j1', task: 'worker-0', attempt: 1, firstSeq: 5, firstTs: 1000, tsOffsets: [0], stderrIdx: [], lines: ['z'], raw: { 0: 'eg==' } },
      ],
      pieces: [{ jobId: 'j1', task: 'worker-0', attempt: 1, seq: 4, idx: 0, last: false, ts: 1000, stderr: false, data: Buffer.from('xy') }],
      eofs: [{ jobId: 'j1', task: 'worker-0', attempt: 1, lastSeq: 5, ts: 1000 }],
    });
  });

  it('log write builder - an empty eof batch marks the seq before it as the last', () => {
    const w = new LogWriteBuilder('r');
    w.add(3, enc({ firstSeq: 42, eof: true }));
    expect(w.build().eofs).toEqual([{ jobId: 'j1', task: 'worker-0', attempt: 1, lastSeq: 41, ts: 1000 }]);
    expect(w.build().chunks).toEqual([]);
  });
});
