import { fuzzBaseSpec, INVALID_SPEC_DOCUMENTS } from '@trainyard/testing/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldCode, type FieldError } from './errors';
import { PATH_LIMITS } from './validate-fields';
import { ALGORITHM_LIMITS, ANNOTATION_LIMITS, JOB_SPEC_LIMITS, NODE_AFFINITY_LIMITS, validateJobSpec } from './validate-job-spec';

type Doc = Record<string, any>;
const errorsOf = (d: unknown): FieldError[] => {
  const r = validateJobSpec(d);
  return r.ok ? [] : r.errors;
};
const with_ = (f: (d: Doc) => void): Doc => {
  const d = fuzzBaseSpec();
  f(d);
  return d;
};
const codesAt = (d: Doc, path: string) => errorsOf(d).filter((e) => e.path === path).map((e) => e.code);

describe('job spec limits - every free-text field has a bound, exactly at it is fine', () => {
  it('the fuzz base spec is valid', () => {
    expect(errorsOf(fuzzBaseSpec())).toEqual([]);
  });

  // [path, set the field to a string of n units, limit, unit]
  const fields: [string, (d: Doc, v: string) => void, number, 'a' | '中'][] = [
    ['metadata.name', (d, v) => (d.metadata.name = v), JOB_SPEC_LIMITS.nameLength, 'a'],
    ['metadata.description', (d, v) => (d.metadata.description = v), JOB_SPEC_LIMITS.descriptionLength, '中'],
    ['metadata.tags[0].key', (d, v) => (d.metadata.tags[0].key = v), JOB_SPEC_LIMITS.tagKeyLength, '中'],
    ['metadata.tags[0].value', (d, v) => (d.metadata.tags[0].value = v), JOB_SPEC_LIMITS.tagValueLength, '中'],
    ['metadata.annotations.team', (d, v) => (d.metadata.annotations.team = v), ANNOTATION_LIMITS.valueLength, '中'],
    ['spec.resource.pool', (d, v) => (d.spec.resource.pool = v), JOB_SPEC_LIMITS.poolLength, 'a'],
    ['spec.resource.flavor.acceleratorType', (d, v) => (d.spec.resource.flavor.acceleratorType = v), JOB_SPEC_LIMITS.acceleratorTypeLength, 'a'],
    ['spec.nodeAffinity[0].labels.zone[0]', (d, v) => (d.spec.nodeAffinity[0].labels.zone[0] = v), NODE_AFFINITY_LIMITS.valueLength, 'a'],
  ];
  it.each(fields)('%s: characters (code points, so Chinese counts one each)', (path, set, limit, unit) => {
    expect(codesAt(with_((d) => set(d, unit.repeat(limit))), path)).toEqual([]);
    expect(codesAt(with_((d) => set(d, unit.repeat(limit + 1))), path)).toEqual([FieldCode.TooLong]);
  });

  // Bytes for what reaches the kernel: '中' is 3 bytes in UTF-8.
  const byteFields: [string, (d: Doc, v: string) => void, number][] = [
    ['algorithm.command', (d, v) => (d.algorithm.command = v), ALGORITHM_LIMITS.commandBytes],
    ['algorithm.environments.FUZZ_VAR', (d, v) => (d.algorithm.environments.FUZZ_VAR = v), ALGORITHM_LIMITS.environmentValueBytes],
    ['algorithm.parameters[0].value', (d, v) => (d.algorithm.parameters[0].value = v), ALGORITHM_LIMITS.parameterValueBytes],
    ['algorithm.image', (d, v) => ((d.algorithm.image = v.replace(/ /g, '_')), (d.spec.runtime = 'container')), ALGORITHM_LIMITS.imageBytes],
  ];
  it.each(byteFields)('%s: UTF-8 bytes', (path, set, limit) => {
    const exactly = '中'.repeat(Math.floor(limit / 3)) + 'a'.repeat(limit % 3);
    expect(codesAt(with_((d) => set(d, exactly)), path)).toEqual([]);
    expect(codesAt(with_((d) => set(d, `${exactly}a`)), path)).toEqual([FieldCode.TooLong]);
  });

  it('paths: at most PATH_MAX bytes in all, NAME_MAX bytes per segment (codeDir, bootFile, workingDir, channel paths)', () => {
    const segment = 'd'.repeat(PATH_LIMITS.segmentBytes);
    const longest = `/${Array.from({ length: 16 }, () => segment).join('/')}`.slice(0, PATH_LIMITS.pathBytes);
    expect(longest).toHaveLength(PATH_LIMITS.pathBytes);
    const set = (v: string) => with_((d) => ((d.algorithm.codeDir = v), (d.algorithm.workingDir = v), (d.algorithm.inputs[0].path = v)));
    expect(errorsOf(set(longest))).toEqual([]);
    const over = errorsOf(set(`${longest}x`));
    expect(over.map((e) => [e.path, e.code])).toEqual([
      ['algorithm.codeDir', FieldCode.TooLong], ['algorithm.workingDir', FieldCode.TooLong], ['algorithm.inputs[0].path', FieldCode.TooLong],
    ]);
    expect(codesAt(set(`/srv/${segment}x/code`), 'algorithm.codeDir')).toEqual([FieldCode.TooLong]);
    // The 70,000-character code dir of the issue.
    expect(codesAt(with_((d) => (d.algorithm.codeDir = 'x'.repeat(70_000))), 'algorithm.codeDir')).toEqual([FieldCode.TooLong]);
    const preset = with_((d) => {
      delete d.algorithm.command;
      delete d.algorithm.workingDir;
      Object.assign(d.algorithm, { engine: { name: 'pytorch', version: '2' }, codeDir: '/srv/code', bootFile: `${'b'.repeat(256)}.py` });
    });
    expect(codesAt(preset, 'algorithm.bootFile')).toEqual([FieldCode.TooLong]);
  });

  it('keys of user maps: annotation keys and variable names are bounded, blank annotation keys refused', () => {
    const key = (n: number) => 'k'.repeat(n);
    expect(errorsOf(with_((d) => (d.metadata.annotations[key(ANNOTATION_LIMITS.keyLength)] = 'x')))).toEqual([]);
    expect(codesAt(with_((d) => (d.metadata.annotations[key(ANNOTATION_LIMITS.keyLength + 1)] = 'x')), `metadata.annotations.${key(ANNOTATION_LIMITS.keyLength + 1)}`)).toEqual([FieldCode.TooLong]);
    expect(codesAt(with_((d) => (d.metadata.annotations[' '] = 'x')), 'metadata.annotations[" "]')).toEqual([FieldCode.InvalidFormat]);
    const name = 'V'.repeat(ALGORITHM_LIMITS.environmentNameLength + 1);
    expect(codesAt(with_((d) => (d.algorithm.environments[name] = 'x')), `algorithm.environments.${name}`)).toEqual([FieldCode.TooLong]);
  });
});

describe('job spec limits - collections are bounded and an oversized one is not walked item by item', () => {
  const cases: [string, (d: Doc, n: number) => void, number][] = [
    ['metadata.tags', (d, n) => (d.metadata.tags = Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: '\u0001' }))), JOB_SPEC_LIMITS.tags],
    ['metadata.annotations', (d, n) => (d.metadata.annotations = Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, 'x']))), ANNOTATION_LIMITS.annotations],
    ['algorithm.parameters', (d, n) => (d.algorithm.parameters = Array.from({ length: n }, (_, i) => ({ name: `p${i}`, value: '1' }))), ALGORITHM_LIMITS.parameters],
    ['algorithm.environments', (d, n) => (d.algorithm.environments = Object.fromEntries(Array.from({ length: n }, (_, i) => [`V${i}`, 'x']))), ALGORITHM_LIMITS.environments],
    ['algorithm.inputs', (d, n) => (d.algorithm.inputs = Array.from({ length: n }, (_, i) => ({ name: `in${i}`, path: '/d' }))), ALGORITHM_LIMITS.channels],
    ['spec.nodeAffinity', (d, n) => (d.spec.nodeAffinity = Array.from({ length: n }, () => ({ type: 'affinity', strength: 'preferred', labels: { zone: 'a' } }))), NODE_AFFINITY_LIMITS.rules],
  ];
  it.each(cases)('%s', (path, fill, limit) => {
    expect(errorsOf(with_((d) => fill(d, limit)))).toEqual([]);
    // 50 000 bad items answer with one error, not 50 000.
    const over = errorsOf(with_((d) => fill(d, 50_000)));
    expect(over.map((e) => [e.path, e.code])).toEqual([[path, FieldCode.TooMany]]);
  });
});

describe('job spec limits - properties over the fuzz generators', () => {
  for (const [name, arbitrary] of Object.entries(INVALID_SPEC_DOCUMENTS)) {
    it(`${name}: refused, naming the mutated place, with at most 101 errors`, () => {
      fc.assert(
        fc.property(arbitrary, (s) => {
          const errors = errorsOf(JSON.parse(s.body as string));
          expect(errors.length).toBeGreaterThan(0);
          expect(errors.length).toBeLessThanOrEqual(101);
          expect(errors.some((e) => e.path.startsWith(s.expect.path))).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('any storable text in the free-text fields of a valid spec is accepted as it is', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 200 }).filter((s) => !s.includes('\u0000') && s.trim() !== '');
    fc.assert(
      fc.property(text, text, text, (command, value, annotation) => {
        const d = with_((x) => ((x.algorithm.command = command), (x.algorithm.environments.FUZZ_VAR = value), (x.metadata.annotations.team = annotation)));
        const r = validateJobSpec(d);
        expect(r).toEqual({ ok: true, spec: d });
      }),
    );
  });
});
