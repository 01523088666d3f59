import { describe, expect, it } from 'vitest';
import { ApiError, ApiUnreachableError } from './api-errors';
import type { LogLine } from '@trainyard/contracts';
import { CliError } from './cli-error';
import { followLog } from './log-follow';
import type { FollowPolicy } from './sse-follow';

const enc = new TextEncoder();
const lineEvent = (attempt: number, seq: number, text = `line ${seq}`) =>
  `event: line\ndata: ${JSON.stringify({ attempt, seq, ts: '2025-03-01T00:00:00Z', stream: 'stdout', text })}\n\n`;
const endEvent = (state: string) => `event: end\ndata: {"state":"${state}"}\n\n`;

/** One connection's behaviour: chunks to deliver, then end cleanly, drop with an error, or fail to connect. */
type Connection = { chunks: string[]; then: 'close' | 'drop' } | { fail: Error };

function fakeServer(connections: Connection[]) {
  const asked: { attempt?: number; afterSeq?: number }[] = [];
  return {
    asked,
    openLogStream: async (_id: string, _task: string, query: { attempt?: number; afterSeq?: number }) => {
      asked.push(query);
      const c = connections[asked.length - 1];
      if (!c) throw new Error('test: no more connections scripted');
      if ('fail' in c) throw c.fail;
      return (async function* () {
        for (const chunk of c.chunks) yield enc.encode(chunk);
        if (c.then === 'drop') throw new TypeError('terminated');
      })();
    },
  };
}

const POLICY: FollowPolicy = { maxFailures: 3, backoffMs: (n) => n * 100 };

async function follow(connections: Connection[], attempt?: number) {
  const server = fakeServer(connections);
  const lines: LogLine[] = [];
  const notices: string[] = [];
  const sleeps: number[] = [];
  const run = followLog(server, { jobId: 'j1', task: 'worker-0', attempt }, { line: (l) => lines.push(l), notice: (t) => notices.push(t) }, { sleep: async (ms) => void sleeps.push(ms) }, POLICY);
  return { run, server, lines, notices, sleeps };
}

describe('log follow - streaming', () => {
  it('prints every line and resolves with the end state', async () => {
    const f = await follow([{ chunks: [lineEvent(1, 1) + lineEvent(1, 2).slice(0, 9), lineEvent(1, 2).slice(9) + endEvent('completed')], then: 'close' }]);
    await expect(f.run).resolves.toEqual({ state: 'completed' });
    expect(f.lines.map((l) => l.seq)).toEqual([1, 2]);
    expect(f.server.asked).toEqual([{ attempt: undefined, afterSeq: undefined }]);
  });

  it('reconnects after a dropped connection with afterSeq = the last line printed', async () => {
    const f = await follow([
      { chunks: [lineEvent(2, 1), lineEvent(2, 2), 'event: line\ndata: {"attempt":2,"se'], then: 'drop' },
      { chunks: [lineEvent(2, 3), endEvent('failed')], then: 'close' },
    ], 2);
    await expect(f.run).resolves.toEqual({ state: 'failed' });
    expect(f.lines.map((l) => l.seq)).toEqual([1, 2, 3]);
    expect(f.server.asked).toEqual([{ attempt: 2, afterSeq: undefined }, { attempt: 2, afterSeq: 2 }]);
    expect(f.notices).toEqual(['log stream interrupted; reconnecting after line 2\n']);
  });

  it('reconnects when the server closes the stream without an end event, and skips repeated lines', async () => {
    const f = await follow([
      { chunks: [lineEvent(1, 1)], then: 'close' },
      { chunks: [lineEvent(1, 1), lineEvent(1, 2), endEvent('completed')], then: 'close' },
    ]);
    await expect(f.run).resolves.toEqual({ state: 'completed' });
    expect(f.lines.map((l) => l.seq)).toEqual([1, 2]);
  });

  it('pins the resumed stream to the attempt its cursor belongs to (seq restarts per attempt)', async () => {
    const f = await follow([
      { chunks: [], then: 'drop' },
      { chunks: [lineEvent(3, 7)], then: 'drop' },
      { chunks: [endEvent('succeeded')], then: 'close' },
    ]);
    await f.run;
    expect(f.server.asked).toEqual([{ attempt: undefined, afterSeq: undefined }, { attempt: undefined, afterSeq: undefined }, { attempt: 3, afterSeq: 7 }]);
  });

  it('keeps lines of a new attempt even when their seq is lower', async () => {
    const f = await follow([{ chunks: [lineEvent(1, 5), lineEvent(2, 1), endEvent('completed')], then: 'close' }]);
    await f.run;
    expect(f.lines.map((l) => `${l.attempt}/${l.seq}`)).toEqual(['1/5', '2/1']);
  });

  it('ignores comments and unknown events', async () => {
    const f = await follow([{ chunks: [': ping\n\nevent: progress\ndata: {}\n\n', lineEvent(1, 1), endEvent('completed')], then: 'close' }]);
    await f.run;
    expect(f.lines).toHaveLength(1);
  });
});

describe('log follow - giving up', () => {
  it('retries a refused connection with backoff, then gives up', async () => {
    const refused = new ApiUnreachableError('http://x', 'refused', 'connection refused');
    const f = await follow([{ fail: refused }, { fail: refused }, { fail: refused }, { fail: refused }]);
    await expect(f.run).rejects.toBeInstanceOf(CliError);
    await expect(f.run).rejects.toMatchObject({ code: 'LOG_STREAM_LOST' });
    expect(f.sleeps).toEqual([100, 200, 300]);
  });

  it('counts failures from the last line received, not from the start', async () => {
    const f = await follow([
      { chunks: [], then: 'drop' },
      { chunks: [], then: 'drop' },
      { chunks: [lineEvent(1, 1)], then: 'drop' },
      { chunks: [], then: 'drop' },
      { chunks: [], then: 'drop' },
      { chunks: [endEvent('completed')], then: 'close' },
    ]);
    await expect(f.run).resolves.toEqual({ state: 'completed' });
    expect(f.sleeps).toEqual([100, 200, 100, 200, 300]);
  });

  it('does not retry a client error', async () => {
    const notFound = new ApiError(404, 'NOT_FOUND', 'no such task');
    const f = await follow([{ fail: notFound }]);
    await expect(f.run).rejects.toBe(notFound);
  });

  it('rejects an event whose data is not JSON', async () => {
    const f = await follow([{ chunks: ['event: line\ndata: nope\n\n'], then: 'close' }]);
    await expect(f.run).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });
});
