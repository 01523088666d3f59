import { describe, expect, it } from 'vitest';
import { FieldCode, type FieldError } from './errors';
import type { NodeAffinityRule } from './job-spec';
import { NODE_AFFINITY_LIMITS, validateJobSpec } from './validate-job-spec';

const doc = (nodeAffinity: unknown) => ({
  kind: 'job',
  metadata: { name: 'aff' },
  algorithm: { command: 'python3 train.py' },
  spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 } }, nodeAffinity },
});

const errors = (nodeAffinity: unknown): Pick<FieldError, 'path' | 'code'>[] => {
  const r = validateJobSpec(doc(nodeAffinity));
  return r.ok ? [] : r.errors.map(({ path, code }) => ({ path, code }));
};

describe('validateJobSpec - spec.nodeAffinity', () => {
  it('accepts the four policies of the guide (严格/尽量/禁止/避免部署)', () => {
    const rules: NodeAffinityRule[] = [
      { type: 'affinity', strength: 'required', labels: { zone: 'b' } },
      { type: 'affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': ['n1', 'n2'] } },
      { type: 'anti-affinity', strength: 'required', labels: { rack: 'r9' } },
      { type: 'anti-affinity', strength: 'preferred', labels: { disk: 'hdd', zone: 'a' } },
    ];
    expect(errors(rules)).toEqual([]);
  });

  it('needs a list of objects with a type, a strength and at least one label', () => {
    expect(errors({})).toEqual([{ path: 'spec.nodeAffinity', code: FieldCode.InvalidType }]);
    expect(errors(['x'])).toEqual([{ path: 'spec.nodeAffinity[0]', code: FieldCode.InvalidType }]);
    expect(errors([{ labels: { a: 'b' } }])).toEqual([
      { path: 'spec.nodeAffinity[0].type', code: FieldCode.Required },
      { path: 'spec.nodeAffinity[0].strength', code: FieldCode.Required },
    ]);
    expect(errors([{ type: 'near', strength: 'hard', labels: {} }])).toEqual([
      { path: 'spec.nodeAffinity[0].type', code: FieldCode.InvalidFormat },
      { path: 'spec.nodeAffinity[0].strength', code: FieldCode.InvalidFormat },
      { path: 'spec.nodeAffinity[0].labels', code: FieldCode.Required },
    ]);
    expect(errors([{ type: 'affinity', strength: 'required', labels: { a: 'b' }, weight: 3 }])).toEqual([
      { path: 'spec.nodeAffinity[0].weight', code: FieldCode.Unknown },
    ]);
  });

  it('checks label values: a string or a non-empty list of short strings', () => {
    const rule = (labels: unknown) => [{ type: 'affinity', strength: 'preferred', labels }];
    expect(errors(rule({ zone: 3 }))).toEqual([{ path: 'spec.nodeAffinity[0].labels.zone', code: FieldCode.InvalidType }]);
    expect(errors(rule({ zone: [] }))).toEqual([{ path: 'spec.nodeAffinity[0].labels.zone', code: FieldCode.Required }]);
    expect(errors(rule({ zone: ['a', 7] }))).toEqual([{ path: 'spec.nodeAffinity[0].labels.zone[1]', code: FieldCode.InvalidType }]);
    expect(errors(rule({ zone: 'x'.repeat(NODE_AFFINITY_LIMITS.valueLength + 1) }))).toEqual([{ path: 'spec.nodeAffinity[0].labels.zone', code: FieldCode.TooLong }]);
    expect(errors(rule({ ' ': 'a' }))).toEqual([{ path: 'spec.nodeAffinity[0].labels[" "]', code: FieldCode.InvalidFormat }]);
  });

  it('limits the number of rules', () => {
    const many = Array.from({ length: NODE_AFFINITY_LIMITS.rules + 1 }, (_, i) => ({ type: 'affinity', strength: 'preferred', labels: { k: `${i}` } }));
    expect(errors(many)).toEqual([{ path: 'spec.nodeAffinity', code: FieldCode.TooMany }]);
  });

  it('refuses required affinity and required anti-affinity on the same labels', () => {
    const rules = [
      { type: 'affinity', strength: 'required', labels: { zone: ['a', 'b'] } },
      { type: 'anti-affinity', strength: 'required', labels: { zone: ['b', 'a'] } },
    ];
    expect(errors(rules)).toEqual([{ path: 'spec.nodeAffinity[1]', code: FieldCode.Conflict }]);
    rules[1].strength = 'preferred';
    expect(errors(rules)).toEqual([]);
  });
});
