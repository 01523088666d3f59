import { describe, expect, it } from 'vitest';
import { FieldCode } from './errors';
import { INPUT_LIMITS, storableInputErrors } from './storable-input';
import { MAX_FIELD_ERRORS } from './validate-fields';

const brief = (v: unknown) => storableInputErrors(v).map((e) => [e.path, e.code]);

describe('storable input - the walk over any JSON document', () => {
  it('finds nothing wrong in ordinary documents', () => {
    expect(brief({ a: [1, 'x', { b: null, c: true, 'd e': '中' }], f: 'tab\t' })).toEqual([]);
    expect(brief('plain')).toEqual([]);
    expect(brief(42)).toEqual([]);
  });

  it('names the path of every string and key that breaks the text rule', () => {
    expect(brief({ algorithm: { command: '\u0000', parameters: [{ value: 'a\ud800' }] }, 'k\u0000': 1 })).toEqual([
      ['algorithm.command', FieldCode.InvalidText],
      ['algorithm.parameters[0].value', FieldCode.InvalidText],
      ['["k\\u0000"]', FieldCode.InvalidText],
    ]);
    expect(brief('\u0000')).toEqual([['', FieldCode.InvalidText]]);
  });

  it('refuses prototype keys as own keys of any object', () => {
    const doc = JSON.parse('{"__proto__":{"x":1},"metadata":{"annotations":{"constructor":"a","prototype":"b"}}}');
    expect(brief(doc)).toEqual([
      ['__proto__', FieldCode.ForbiddenKey],
      ['metadata.annotations.constructor', FieldCode.ForbiddenKey],
      ['metadata.annotations.prototype', FieldCode.ForbiddenKey],
    ]);
  });

  it('refuses nesting past maxDepth once, at the first level too deep, without recursing further', () => {
    const depth = 100_000;
    const deep = JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    const errors = storableInputErrors({ a: deep });
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe(FieldCode.TooDeep);
    expect(errors[0].path).toBe('a' + '[0]'.repeat(INPUT_LIMITS.maxDepth - 1));
    // Exactly at the bound is fine: 15 nested arrays under the root object.
    expect(storableInputErrors({ a: JSON.parse('['.repeat(15) + ']'.repeat(15)) })).toEqual([]);
  });

  it('refuses keys longer than maxKeyBytes, shown shortened in the path', () => {
    const key = 'k'.repeat(INPUT_LIMITS.maxKeyBytes + 1);
    const [e] = storableInputErrors({ [key]: 1 });
    expect(e.code).toBe(FieldCode.TooLong);
    expect(e.path).toBe(`["${'k'.repeat(64)}…"]`);
    expect(storableInputErrors({ ['k'.repeat(INPUT_LIMITS.maxKeyBytes)]: 1 })).toEqual([]);
  });

  it('lists at most MAX_FIELD_ERRORS errors and counts the rest in one TOO_MANY entry', () => {
    const errors = storableInputErrors(Array.from({ length: 5000 }, () => '\u0000'));
    expect(errors).toHaveLength(MAX_FIELD_ERRORS + 1);
    expect(errors.at(-1)).toMatchObject({ path: '', code: FieldCode.TooMany, message: `${5000 - MAX_FIELD_ERRORS} more error(s) not listed` });
  });
});
