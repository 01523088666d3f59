import { describe, expect, it } from 'vitest';
import { fnv1a32 } from './fnv-hash';

describe('fnv1a32', () => {
  it('gives the published FNV-1a test vectors, over UTF-8 bytes', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(fnv1a32('é')).not.toBe(fnv1a32('\u00e9'.normalize('NFD')));
  });
});
