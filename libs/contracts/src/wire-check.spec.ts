import { Type } from '@sinclair/typebox';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldCode } from './errors';
import { TrainingJobSpecSchema } from './job-spec';
import { V2CreateTrainingJobSchema } from './v2/v2-wire';
import { validateJobSpec } from './validate-job-spec';
import { dottedPath, rule, wireErrors } from './wire-check';

const brief = (errors: ReturnType<typeof wireErrors>) => errors.map((e) => ({ path: e.path, code: e.code, ...(e.rule ? { rule: e.rule } : {}) }));

describe('wire check - structural validation from the schema', () => {
  const S = Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 4, ...rule('V1') }),
      n: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
      kind: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')])),
      list: Type.Optional(Type.Array(Type.Object({ k: Type.String() }, { additionalProperties: false }), { maxItems: 2 })),
    },
    { additionalProperties: false },
  );

  it('maps each failure to a stable field code at a dotted path, carrying the rule the schema names', () => {
    expect(brief(wireErrors(S, { n: 4, kind: 'c', extra: 1, list: [{ k: 1 }] }))).toEqual([
      { path: 'name', code: FieldCode.Required, rule: 'V1' },
      { path: 'extra', code: FieldCode.Unknown },
      { path: 'n', code: FieldCode.OutOfRange },
      { path: 'kind', code: FieldCode.InvalidFormat },
      { path: 'list[0].k', code: FieldCode.InvalidType },
    ]);
    expect(brief(wireErrors(S, { name: 'toolong', list: [{ k: 'a' }, { k: 'b' }, { k: 'c' }], kind: 3 }))).toEqual([
      { path: 'name', code: FieldCode.TooLong, rule: 'V1' },
      { path: 'kind', code: FieldCode.InvalidType },
      { path: 'list', code: FieldCode.TooMany },
    ]);
    expect(wireErrors(S, { name: 'ok' })).toEqual([]);
  });

  it('counts a string in characters, as JSON Schema does (an astral character is one)', () => {
    expect(wireErrors(S, { name: '𠀀𠀀𠀀𠀀' })).toEqual([]);
    expect(brief(wireErrors(S, { name: '𠀀𠀀𠀀𠀀𠀀' }))).toEqual([{ path: 'name', code: FieldCode.TooLong, rule: 'V1' }]);
  });

  it('pointer paths become the API paths, odd keys quoted', () => {
    expect(dottedPath('/spec/resource/node_count')).toBe('spec.resource.node_count');
    expect(dottedPath('/metadata/tags/3/key')).toBe('metadata.tags[3].key');
    expect(dottedPath('/metadata/annotations/fault-tolerance~1job-retry-num')).toBe('metadata.annotations.fault-tolerance/job-retry-num');
    expect(dottedPath('/algorithm/environments/a b')).toBe('algorithm.environments["a b"]');
  });

  it('the native schema accepts every document the hand-written validator accepts (they describe one shape)', () => {
    const doc = fc.record({
      kind: fc.constant('job'),
      metadata: fc.record({ name: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), description: fc.stringMatching(/^[a-z ,.]{0,40}$/) }, { requiredKeys: ['name'] }),
      algorithm: fc.record({ command: fc.stringMatching(/^[a-z ]{1,20}$/).filter((s) => s.trim() !== ''), userId: fc.integer({ min: 0, max: 65535 }) }, { requiredKeys: ['command'] }),
      spec: fc.record(
        {
          resource: fc.record({ flavor: fc.record({ cpu: fc.double({ min: 0.1, max: 64, noNaN: true }), memoryMiB: fc.integer({ min: 1, max: 1 << 20 }) }), nodeCount: fc.integer({ min: 1, max: 64 }) }, { requiredKeys: ['flavor'] }),
          priority: fc.integer({ min: 1, max: 2 }),
          maxRunHours: fc.integer({ min: 1, max: 720 }),
        },
        { requiredKeys: ['resource'] },
      ),
    });
    fc.assert(
      fc.property(doc, (d) => {
        if (!validateJobSpec(d).ok) return;
        expect(wireErrors(TrainingJobSpecSchema, d)).toEqual([]);
      }),
    );
  });

  it('a v2 body is checked as a whole: every offending field at once, at most 100', () => {
    const errors = wireErrors(V2CreateTrainingJobSchema, { kind: 'job', metadata: {}, algorithm: { code_dir: 1 }, spec: { resource: {} } });
    expect(brief(errors)).toEqual([
      { path: 'metadata.name', code: FieldCode.Required, rule: 'V1' },
      { path: 'algorithm.code_dir', code: FieldCode.InvalidType },
      { path: 'spec.resource.flavor_id', code: FieldCode.Required },
    ]);
    const many = { kind: 'job', metadata: { name: 'x', annotations: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])) }, algorithm: {}, spec: { resource: { flavor_id: 'a' } } };
    expect(wireErrors(V2CreateTrainingJobSchema, many).length).toBeLessThanOrEqual(100);
  });
});
