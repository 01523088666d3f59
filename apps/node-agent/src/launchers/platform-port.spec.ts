import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { platformPort, PLATFORM_PORT_RANGE } from './platform-port';

describe('platform port', () => {
  it('platform port - stable for a job attempt and purpose, inside 5000–10000 (L511-512)', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat(1000), fc.string(), fc.nat(20_000), (job, attempt, purpose, offset) => {
        const p = platformPort(job, attempt, purpose, offset);
        expect(p).toBe(platformPort(job, attempt, purpose, offset));
        expect(Number.isInteger(p) && p >= PLATFORM_PORT_RANGE.min && p <= PLATFORM_PORT_RANGE.max).toBe(true);
      }),
    );
  });
  it('platform port - consecutive offsets are distinct ports', () => {
    const ports = Array.from({ length: 200 }, (_, i) => platformPort('job', 1, 'tensorflow-ps', i));
    expect(new Set(ports).size).toBe(200);
  });
});
