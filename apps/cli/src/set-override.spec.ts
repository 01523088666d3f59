import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError, ExitCode } from './cli-error';
import { applyOverrides, overrideValue, parseAssignment, parsePath } from './set-override';

const set = (text: string) => parseAssignment(text);
const doc = () => ({
  kind: 'job',
  metadata: { name: 'hello', tags: [{ key: 'team', value: 'a' }] },
  algorithm: { command: 'python3 train.py', parameters: [{ name: 'epochs', value: '3' }, { name: 'lr', value: '0.1' }] },
  spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 256 }, nodeCount: 2 }, priority: 1 },
});

/** The value at `path` (test helper; the code under test is applyOverrides). */
const at = (v: unknown, path: string[]): unknown => path.reduce<any>((node, k) => node?.[k], v);

/** Object keys a path may use: not numeric (those index lists), no separators, not a prototype key. */
const key = fc.oneof(
  fc.constantFrom('spec', 'resource', 'flavor', 'cpu', 'metadata', 'name', 'priority', 'algorithm', 'command'),
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_-]{0,8}$/).filter((k) => !['__proto__', 'prototype', 'constructor'].includes(k)),
);
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as CliError;
  }
  throw new Error('expected a refusal');
};

describe('set-override - yard copy --set/--unset', () => {
  it('parsePath - dots and [n]; empty segments, spaces and prototype keys are refused', () => {
    expect(parsePath('algorithm.parameters[1].value')).toEqual(['algorithm', 'parameters', '1', 'value']);
    expect(parsePath('metadata.annotations.fault-tolerance/job-retry-num')).toEqual(['metadata', 'annotations', 'fault-tolerance/job-retry-num']);
    for (const bad of ['', 'a..b', '.a', 'a.', 'a b', 'a[x]', 'a.__proto__', 'constructor.x']) expect(() => parsePath(bad), bad).toThrow(CliError);
  });

  it('parseAssignment - the first = splits; no path is a usage error (exit 2) showing the expected form', () => {
    expect(parseAssignment('algorithm.command=a=b c')).toEqual({ path: ['algorithm', 'command'], raw: 'a=b c' });
    expect(parseAssignment('metadata.description=')).toEqual({ path: ['metadata', 'description'], raw: '' });
    const err = refusal(() => parseAssignment('=2'));
    expect(err.code).toBe('SET_INVALID');
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toContain('path=value');
  });

  it('overrideValue - a string stays a string; anything else is read as YAML', () => {
    expect(overrideValue('007', 'hello', 'metadata.name')).toBe('007');
    expect(overrideValue('2', 1, 'spec.priority')).toBe(2);
    expect(overrideValue('true', undefined, 'x')).toBe(true);
    expect(overrideValue('{cpu: 1, memoryMiB: 512}', undefined, 'x')).toEqual({ cpu: 1, memoryMiB: 512 });
    expect(overrideValue('', 3, 'x')).toBeNull();
    expect(() => overrideValue('{a: [', 1, 'spec.x')).toThrow(/spec\.x=\{a: \[: not a YAML value/);
  });

  it('applyOverrides - sets fields, keeps the type of replaced strings, creates missing objects, leaves the source alone', () => {
    const source = doc();
    const out = applyOverrides(source, [set('spec.priority=2'), set('algorithm.parameters.lr.value=0.01'), set('metadata.experiment=sweep'), set('spec.resource.flavor.gpu=1'), set('metadata.annotations.fault-tolerance/job-retry-num=3')]);
    expect(out.spec.priority).toBe(2);
    expect(out.algorithm.parameters).toEqual([{ name: 'epochs', value: '3' }, { name: 'lr', value: '0.01' }]);
    expect(out.metadata).toMatchObject({ experiment: 'sweep', annotations: { 'fault-tolerance/job-retry-num': 3 } });
    expect(out.spec.resource.flavor).toEqual({ cpu: 0.5, memoryMiB: 256, gpu: 1 });
    expect(source).toEqual(doc());
  });

  it('applyOverrides - an index may append but not leave a gap; unknown item names list the known ones', () => {
    const out = applyOverrides(doc(), [set('metadata.tags[1]={key: owner, value: bo}')]);
    expect(out.metadata.tags).toEqual([{ key: 'team', value: 'a' }, { key: 'owner', value: 'bo' }]);
    expect(refusal(() => applyOverrides(doc(), [set('metadata.tags[3].key=x')])).message).toMatch(/metadata\.tags has 1 item\(s\); index 3 would leave a gap/);
    expect(refusal(() => applyOverrides(doc(), [set('algorithm.parameters.batch.value=8')])).message).toMatch(/list of epochs, lr; name an item/);
    expect(refusal(() => applyOverrides(doc(), [set('spec.priority.level=2')])).message).toMatch(/^spec\.priority\.level: spec\.priority is 1, not an object/);
  });

  it('applyOverrides - --unset removes a field or a list item; absent ones are no change', () => {
    const out = applyOverrides(doc(), [{ path: ['metadata', 'tags', '0'] }, { path: ['spec', 'priority'] }, { path: ['spec', 'nope', 'deeper'] }, { path: ['algorithm', 'parameters', 'lr'] }]);
    expect(out.metadata.tags).toEqual([]);
    expect('priority' in out.spec).toBe(false);
    expect(out.algorithm.parameters).toEqual([{ name: 'epochs', value: '3' }]);
    expect(out.spec).not.toHaveProperty('nope');
  });

  it('applyOverrides - property: after --set path=v the value at path is v, and nothing outside the path changed', () => {
    fc.assert(
      fc.property(fc.array(key, { minLength: 1, maxLength: 4 }), fc.integer({ min: -1e6, max: 1e6 }), (path, n) => {
        const source = doc();
        // Paths through a scalar or a list are refusals (tested above), not sets.
        fc.pre(path.slice(0, -1).every((_, i) => { const v = at(source, path.slice(0, i + 1)); return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v)); }));
        const out = applyOverrides(source, [set(`${path.join('.')}=${n}`)]);
        expect(at(out, path)).toBe(typeof at(source, path) === 'string' ? String(n) : n);
        // Unset again what the set created or changed: only that path differs from the source.
        const back = applyOverrides(out, [{ path }]);
        const expected = structuredClone(source) as any;
        let node = expected;
        for (const k of path.slice(0, -1)) node = node[k] ??= {};
        delete node[path.at(-1)!];
        expect(back).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
