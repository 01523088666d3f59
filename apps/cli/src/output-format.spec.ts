import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { OUTPUT_FORMATS, outputFormat, renderOutput, renderStreamItem, toYaml } from './output-format';

/** JSON values as an API answers them: no undefined, no -0 (JSON writes it as 0), finite numbers. */
const jsonValue = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const views = { table: () => 'TABLE\n', wide: () => 'WIDE\n' };

describe('output-format - -o json|yaml|wide', () => {
  it('outputFormat - takes the four names in any case, refuses others naming the choices', () => {
    expect(OUTPUT_FORMATS.map((f) => outputFormat(f.toUpperCase()))).toEqual(['table', 'wide', 'json', 'yaml']);
    expect(() => outputFormat('xml')).toThrow(InvalidArgumentError);
    expect(() => outputFormat('jsonpath')).toThrow(/table, wide, json, yaml/);
  });

  it('renderOutput - table and wide render; wide falls back to the table where a command has no wide view', () => {
    expect(renderOutput('table', {}, views)).toBe('TABLE\n');
    expect(renderOutput('wide', {}, views)).toBe('WIDE\n');
    expect(renderOutput('wide', {}, { table: views.table })).toBe('TABLE\n');
  });

  it('renderOutput - json is the answer itself, two-space indented, one trailing newline', () => {
    const page = { items: [{ id: 'j1', tags: [{ key: 'team', value: 'vision' }], endedAt: null }], total: 1 };
    expect(renderOutput('json', page, views)).toBe(`${JSON.stringify(page, null, 2)}\n`);
  });

  it('renderOutput - property: json and yaml read back as the same value, for any JSON value', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(JSON.parse(renderOutput('json', v, views))).toEqual(v);
        expect(parse(renderOutput('yaml', v, views), { version: '1.2' })).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('toYaml - strings YAML would read as other types stay strings; repeated objects are written out, not aliased', () => {
    const tricky = { a: 'yes', b: '1e3', c: 'null', d: '007', e: '', f: 'line\nbreak', g: '- x', h: 'a: b' };
    expect(parse(toYaml(tricky), { version: '1.2' })).toEqual(tricky);
    const shared = { cpu: 1 };
    const text = toYaml({ x: shared, y: shared });
    expect(text).not.toMatch(/[&*]/);
    expect(parse(text)).toEqual({ x: { cpu: 1 }, y: { cpu: 1 } });
  });

  it('renderStreamItem - property: json items are one line each (NDJSON), yaml items one document each', () => {
    fc.assert(
      fc.property(fc.array(jsonValue, { maxLength: 5 }), (items) => {
        const ndjson = items.map((i) => renderStreamItem('json', i)).join('');
        expect(ndjson.split('\n').slice(0, -1).map((l) => JSON.parse(l))).toEqual(items);
        const docs = parseAllDocuments(items.map((i) => renderStreamItem('yaml', i)).join(''));
        expect(Array.isArray(docs) ? docs.map((d) => d.toJS()) : []).toEqual(items);
      }),
      { numRuns: 200 },
    );
    expect(renderStreamItem('table', { a: 1 })).toBeNull();
    expect(renderStreamItem('wide', { a: 1 })).toBeNull();
  });
});
