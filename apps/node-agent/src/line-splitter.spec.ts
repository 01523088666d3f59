import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter';

describe('line splitter', () => {
  it('line splitter - lines end at newline; a final line without one still counts', () => {
    const s = new LineSplitter();
    expect(s.push('a\nb')).toEqual(['a']);
    expect(s.push('c\r\n\nd')).toEqual(['bc', '']);
    expect(s.end()).toEqual(['d']);
    expect(s.end()).toEqual([]);
  });
  it('line splitter - a multi-byte character split across chunks is decoded whole', () => {
    const s = new LineSplitter();
    const bytes = Buffer.from('训练\n');
    expect(s.push(bytes.subarray(0, 4))).toEqual([]);
    expect(s.push(bytes.subarray(4))).toEqual(['训练']);
  });
  it('line splitter - a line over the limit is cut, so a newline-less stream stays bounded', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij')).toEqual(['abcd', 'efgh']);
    expect(s.end()).toEqual(['ij']);
    expect(new LineSplitter(4).push('ab训\n')).toEqual(['ab', '训']); // not inside a character
  });
  it('line splitter - lines up to the limit are kept whole, in one chunk or many', () => {
    const s = new LineSplitter(1 << 20);
    const long = 'x'.repeat(300_000);
    expect(s.push(long.slice(0, 100_000))).toEqual([]);
    expect(s.push(long.slice(100_000) + '\nnext\n')).toEqual([long, 'next']);
  });
  it('line splitter - bytes that are not UTF-8, or NUL, come out as the exact bytes; CR inside a line stays', () => {
    const s = new LineSplitter();
    const bad = Buffer.from([0x66, 0xff, 0xfe, 0x6f]);
    const out = s.push(Buffer.concat([Buffer.from('ok\n'), bad, Buffer.from('\r\na\u0000b\n10%\r20%\n')]));
    expect(out[0]).toBe('ok');
    expect(Buffer.from(out[1] as Uint8Array)).toEqual(bad);
    expect(Buffer.from(out[2] as Uint8Array).toString()).toBe('a\u0000b');
    expect(out[3]).toBe('10%\r20%');
  });
  it('line splitter - any chunking of a text yields the same lines', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.nat(), { maxLength: 5 }), (text, cuts) => {
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const s = new LineSplitter(1e6);
        const lines: string[] = [];
        const str = (l: string | Uint8Array) => (typeof l === 'string' ? l : Buffer.from(l).toString());
        let from = 0;
        for (const p of [...points, bytes.length]) {
          lines.push(...s.push(bytes.subarray(from, p)).map(str));
          from = p;
        }
        lines.push(...s.end().map(str));
        const expected = text.split('\n').map((l) => l.replace(/\r$/, ''));
        if (text.endsWith('\n') || text === '') expected.pop();
        expect(lines).toEqual(expected);
      }),
    );
  });
});
