import type { Fault, FaultKind } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rootCause } from './root-cause';

const f = (kind: FaultKind, task = 'worker-0'): Fault => ({ kind, task, hardware: kind === 'hardware' });

describe('root cause - which of an attempt\'s failures explains the others', () => {
  it('a killed rank explains its peers\' non-zero exits, whichever was reported first', () => {
    expect(rootCause([f('non-zero-exit', 'worker-0'), f('process-killed', 'worker-1')])).toBe(1);
    expect(rootCause([f('process-killed', 'worker-1'), f('non-zero-exit', 'worker-0')])).toBe(0);
    expect(rootCause([f('process-killed'), f('hardware', 'worker-1')])).toBe(1);
    expect(rootCause([])).toBe(-1);
  });

  it('property: the earliest of the strongest kind, and never a non-zero exit while any other fault is there', () => {
    const kinds: FaultKind[] = ['hardware', 'node-lost', 'process-killed', 'self-healable', 'evicted', 'non-zero-exit', 'preflight-environment'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...kinds), { minLength: 1, maxLength: 8 }), (ks) => {
        const faults = ks.map((k, i) => f(k, `worker-${i}`));
        const i = rootCause(faults);
        if (ks.some((k) => k !== 'non-zero-exit')) expect(ks[i]).not.toBe('non-zero-exit');
        expect(ks.indexOf(ks[i]!)).toBe(i);
      }),
    );
  });
});
