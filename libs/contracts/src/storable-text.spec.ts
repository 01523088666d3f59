import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStorableText, storableText, unstorableReason, utf8Length } from './storable-text';

describe('storable text - the rule', () => {
  it('accepts tabs, newlines, other control characters and any paired Unicode', () => {
    for (const s of ['', 'python3 train.py', 'a\tb\nc\r\u0001\u007f', '中文，。', '🚀 \ud83d\ude80', '\uffff', 'é']) expect(unstorableReason(s)).toBeUndefined();
  });

  it('refuses U+0000 anywhere', () => {
    for (const s of ['\u0000', 'a\u0000', '\u0000a', 'a\u0000b']) expect(unstorableReason(s)).toBe('nul');
  });

  it('refuses a high surrogate without its low half and a low one without its high half', () => {
    for (const s of ['\ud800', 'a\ud800b', '\udc00', 'x\udfff', '\ud83d\ud83d\ude80', '\ud83d\ude80\ude80']) expect(unstorableReason(s)).toBe('lone-surrogate');
  });
});

describe('storable text - properties', () => {
  it('every well-formed string without NUL is storable', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      fc.pre(!s.includes('\u0000'));
      expect(isStorableText(s)).toBe(true);
    }));
  });

  it('agrees with String.prototype.isWellFormed on any UTF-16 string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const wellFormed = (s as unknown as { isWellFormed(): boolean }).isWellFormed();
      expect(isStorableText(s)).toBe(wellFormed && !s.includes('\u0000'));
    }));
  });

  it('a NUL or a lone surrogate inserted anywhere makes any string unstorable', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.nat(), fc.constantFrom('\u0000', '\ud800', '\udfff'), (s, at, bad) => {
      // Inserted at a grapheme boundary of a well-formed string, so it cannot pair with a neighbour.
      const units = [...s];
      const i = at % (units.length + 1);
      const next = units[i]?.charCodeAt(0) ?? 0;
      fc.pre(!(bad === '\ud800' && next >= 0xdc00 && next <= 0xdfff));
      expect(isStorableText([...units.slice(0, i), bad, ...units.slice(i)].join(''))).toBe(false);
    }));
  });

  it('utf8Length is the UTF-8 byte count of a well-formed string', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'));
    }));
  });
});

describe('storable text - what the platform writes about unchecked input', () => {
  it('replaces NUL and unpaired surrogates with U+FFFD and keeps everything else', () => {
    expect(storableText("trap 'echo $?' EXIT\n\u0000")).toBe("trap 'echo $?' EXIT\n\uFFFD");
    expect(storableText('a\ud800b\udc00c\ud83d\ude80')).toBe('a\uFFFDb\uFFFDc\ud83d\ude80');
  });

  it('always yields storable text, the same length, unchanged when it was storable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = storableText(s);
        expect(isStorableText(out)).toBe(true);
        expect(out.length).toBe(s.length);
        if (isStorableText(s)) expect(out).toBe(s);
      }),
    );
  });
});
