import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feeds `input` cut at the given byte offsets and collects every event. */
function parseInPieces(input: Uint8Array, cuts: number[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let from = 0;
  for (const cut of [...cuts, input.length]) {
    events.push(...parser.push(input.subarray(from, cut)));
    from = cut;
  }
  events.push(...parser.end());
  return events;
}

const STREAM =
  ': connected\n\n' +
  'event: line\ndata: {"attempt":1,"seq":1,"ts":"t","stream":"stdout","text":"epoch 1 训练开始"}\n\n' +
  'event: line\r\ndata: {"attempt":1,"seq":2,"ts":"t","stream":"stderr","text":"warn"}\r\n\r\n' +
  'event: end\rdata: {"state":"completed"}\r\r';

const EXPECTED: SseEvent[] = [
  { event: 'line', data: '{"attempt":1,"seq":1,"ts":"t","stream":"stdout","text":"epoch 1 训练开始"}' },
  { event: 'line', data: '{"attempt":1,"seq":2,"ts":"t","stream":"stderr","text":"warn"}' },
  { event: 'end', data: '{"state":"completed"}' },
];

describe('SSE parser - chunking', () => {
  it('parses a whole stream with LF, CRLF and CR line ends', () => {
    expect(parseInPieces(bytes(STREAM), [])).toEqual(EXPECTED);
  });

  it('gives the same events for every single split point (mid UTF-8, mid CRLF, mid field name)', () => {
    const input = bytes(STREAM);
    for (let cut = 1; cut < input.length; cut++) {
      expect(parseInPieces(input, [cut]), `split at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it('gives the same events fed one byte at a time', () => {
    const input = bytes(STREAM);
    expect(parseInPieces(input, Array.from({ length: input.length - 1 }, (_, i) => i + 1))).toEqual(EXPECTED);
  });

  it('does not merge a CRLF split across chunks into an extra blank line', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\r')).toEqual([]);
    expect(parser.push('\ndata: b\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
    expect(parser.push('\r\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});

describe('SSE parser - fields', () => {
  it('joins multi-line data, strips one leading space, ignores comments and unknown fields', () => {
    const parser = new SseParser();
    const out = parser.push(':ping\nretry: 100\nfoo: bar\ndata:  two spaces\ndata\ndata:x\n\n');
    expect(out).toEqual([{ event: 'message', data: ' two spaces\n\nx' }]);
  });

  it('keeps the last event id and resets the event type after each dispatch', () => {
    const parser = new SseParser();
    const out = parser.push('id: 7\nevent: line\ndata: a\n\ndata: b\n\n');
    expect(out).toEqual([
      { event: 'line', data: 'a', id: '7' },
      { event: 'message', data: 'b', id: '7' },
    ]);
  });

  it('does not dispatch an event without data', () => {
    expect(new SseParser().push('event: line\n\n')).toEqual([]);
  });

  it('drops a leading byte-order mark', () => {
    expect(new SseParser().push('\uFEFFdata: x\n\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('discards an event the stream cut off before its blank line', () => {
    const parser = new SseParser();
    expect(parser.push('event: line\ndata: {"seq":3')).toEqual([]);
    expect(parser.end()).toEqual([]);
  });
});
