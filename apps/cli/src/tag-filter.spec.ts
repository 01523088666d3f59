import fc from 'fast-check';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseTag, parseTags, tagQuery } from './tag-filter';

describe('tag-filter - --tag key=value', () => {
  it('parseTag - the first = or : splits; a bare key has the empty value; no key is refused', () => {
    expect(parseTag('team=vision')).toEqual({ key: 'team', value: 'vision' });
    expect(parseTag('url=http://x/?a=b')).toEqual({ key: 'url', value: 'http://x/?a=b' });
    expect(parseTag('team:vision')).toEqual({ key: 'team', value: 'vision' });
    expect(parseTag('gold')).toEqual({ key: 'gold', value: '' });
    expect(() => parseTag('=v')).toThrow(InvalidArgumentError);
    expect(parseTags(['a=1', 'b'])).toEqual([{ key: 'a', value: '1' }, { key: 'b', value: '' }]);
  });

  it('tagQuery - property: key=value becomes the API filter key:value; a bare key any value', () => {
    const key = fc.stringMatching(/^[A-Za-z0-9_.\/-]{1,20}$/);
    fc.assert(fc.property(key, fc.string({ maxLength: 20 }), (k, v) => tagQuery(`${k}=${v}`) === `${k}:${v}`));
    fc.assert(fc.property(key, (k) => tagQuery(k) === k));
  });
});
