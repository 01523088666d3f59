import type { TrainingJobSpec } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { CliError } from './cli-error';
import { copySpec } from './copy-spec';
import { parseAssignment, parsePath } from './set-override';

/** A stored spec as the API keeps it after a catalogue flavor was resolved: id, pool and flavor. */
const stored = (): TrainingJobSpec => ({
  kind: 'job',
  metadata: { name: 'hello', experiment: 'sweep' },
  algorithm: { codeDir: '/srv/hello', command: 'python3 train.py', parameters: [{ name: 'lr', value: '0.1' }] },
  spec: { resource: { flavorId: 'cpu.half', pool: 'default', flavor: { cpu: 0.5, memoryMiB: 256 }, nodeCount: 2 }, priority: 1 },
});
const sets = (...texts: string[]) => texts.map(parseAssignment);
const refused = (fn: () => unknown): CliError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('copySpec - yard copy checks the copy by the submit rules before sending it', () => {
  it('applies the overrides; the stored spec passes unchanged without any', () => {
    expect(copySpec(stored(), [], 'j1')).toEqual(stored());
    const copy = copySpec(stored(), sets('spec.priority=2', 'algorithm.parameters.lr.value=0.01', 'spec.resource.nodeCount=1'), 'j1');
    expect(copy.spec.priority).toBe(2);
    expect(copy.spec.resource.nodeCount).toBe(1);
    expect(copy.algorithm.parameters).toEqual([{ name: 'lr', value: '0.01' }]);
  });

  it('names the offending field with its code and rule, as the API would', () => {
    const typo = refused(() => copySpec(stored(), sets('spec.priorty=2'), 'j1'));
    expect(typo.code).toBe('VALIDATION_FAILED');
    expect(typo.message).toBe('the copy of job j1 has 1 error(s)');
    expect(typo.details.map((d) => d.path)).toEqual(['spec.priorty']);
    const range = refused(() => copySpec(stored(), sets('spec.priority=7', 'metadata.name=no spaces'), 'j1'));
    expect(range.details.map((d) => [d.path, d.rule])).toEqual(expect.arrayContaining([['spec.priority', expect.anything()], ['metadata.name', 'V1']]));
    expect(refused(() => copySpec(stored(), sets('spec.resource.nodeCount=two'), 'j1')).details[0].path).toBe('spec.resource.nodeCount');
  });

  it('priority 3 is left to the API, which knows the caller', () => {
    expect(copySpec(stored(), sets('spec.priority=3'), 'j1').spec.priority).toBe(3);
  });

  it('a new flavorId or pool drops the resolved inline flavor; a new inline flavor drops the id', () => {
    const byId = copySpec(stored(), sets('spec.resource.flavorId=gpu.a100.1'), 'j1');
    expect(byId.spec.resource).toEqual({ flavorId: 'gpu.a100.1', pool: 'default', nodeCount: 2 });
    expect(copySpec(stored(), sets('spec.resource.pool=gpu'), 'j1').spec.resource).not.toHaveProperty('flavor');
    const inline = copySpec(stored(), sets('spec.resource.flavor.cpu=2'), 'j1');
    expect(inline.spec.resource).toEqual({ pool: 'default', flavor: { cpu: 2, memoryMiB: 256 }, nodeCount: 2 });
    // Without a flavor or an id the copy has nothing to place with.
    expect(refused(() => copySpec(stored(), [{ path: parsePath('spec.resource.flavorId') }, { path: parsePath('spec.resource.flavor') }], 'j1')).details.map((d) => d.path)).toEqual(['spec.resource.flavor']);
  });
});
