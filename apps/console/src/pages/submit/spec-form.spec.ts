import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, errorsByField, fieldOf, formFromSpec, specFromForm } from './spec-form';

const hello = {
  kind: 'job' as const,
  metadata: { name: 'hello', description: 'two workers', tags: [{ key: 'team', value: 'a' }], annotations: { 'fault-tolerance/job-retry-num': '3', owner: 'x' } },
  algorithm: { codeDir: '/srv/hello', command: 'python3 ${MA_JOB_DIR}/hello/train.py', parameters: [{ name: 'epochs', value: '3' }, { name: 'lr', value: '0.1' }], inputs: [{ name: 'data', path: '/d' }] },
  spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 256 }, nodeCount: 2 }, priority: 2, nodeAffinity: [{ type: 'affinity', strength: 'required', labels: { zone: 'b' } }] },
};

describe('submit form', () => {
  it('submit form - a spec through the form and back is the same spec, fields the form lacks kept', () => {
    const form = formFromSpec(hello as any);
    expect(form).toMatchObject({ name: 'hello', parameters: 'epochs=3\nlr=0.1', cpu: '0.5', memoryMiB: '256', nodeCount: '2', priority: '2', tags: 'team=a', retries: '3' });
    expect(specFromForm(form, hello as any)).toEqual(hello);
  });

  it('submit form - an empty field leaves the key out, a non-number is passed on for the API to name', () => {
    const spec = specFromForm({ ...EMPTY_FORM, name: 'x', command: 'true', cpu: 'lots', memoryMiB: '' });
    expect(spec.spec.resource.flavor).toEqual({ cpu: 'lots' });
    expect(spec.metadata).toEqual({ name: 'x' });
    expect(spec.algorithm).toEqual({ command: 'true' });
    expect(spec.spec).toEqual({ resource: { flavor: { cpu: 'lots' }, nodeCount: 1 }, priority: 1 });
  });

  it("submit form - the API's error paths land on their fields, the rest in the summary", () => {
    expect(['metadata.name', 'metadata.tags[2].key', 'algorithm.environments.MA_FOO', 'spec.resource.flavor.memoryMiB', 'spec.nodeAffinity[0]'].map(fieldOf))
      .toEqual(['name', 'tags', 'environments', 'memoryMiB', undefined]);
    const { byField, other } = errorsByField([
      { path: 'metadata.name', code: 'INVALID_FORMAT', message: 'bad name' },
      { path: 'spec.resource', code: 'INVALID_FORMAT', message: 'never fits' },
    ]);
    expect(byField).toEqual({ name: ['bad name'] });
    expect(other.map((o) => o.path)).toEqual(['spec.resource']);
  });
});
