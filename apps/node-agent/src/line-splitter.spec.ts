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
  it('line splitter - a long line is cut, so a newline-less stream stays bounded', () => {
    const s = new LineSplitter(4);
    expect(s.push('abcdefghij')).toEqual(['abcd', 'efgh']);
    expect(s.end()).toEqual(['ij']);
  });
  it('line splitter - any chunking of a text yields the same lines', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.nat(), { maxLength: 5 }), (text, cuts) => {
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const s = new LineSplitter(1e6);
        const lines: string[] = [];
        let from = 0;
        for (const p of [...points, bytes.length]) {
          lines.push(...s.push(bytes.subarray(from, p)));
          from = p;
        }
        lines.push(...s.end());
        const expected = text.split('\n').map((l) => l.replace(/\r$/, ''));
        if (text.endsWith('\n') || text === '') expected.pop();
        expect(lines).toEqual(expected);
      }),
    );
  });
});
