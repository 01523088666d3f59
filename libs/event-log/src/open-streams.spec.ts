import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { streamVerdict } from './open-streams';

describe('streamVerdict - a fresh cluster is created, a lost stream is refused', () => {
  it('creates only a stream that is missing with nothing applied from it', () => {
    expect(streamVerdict(undefined, 0)).toEqual({ action: 'create' });
    expect(streamVerdict(undefined, 1)).toMatchObject({ action: 'refuse', reason: 'missing, but 1 of its messages were applied here' });
  });

  it('refuses a stream that ends before what was applied (replaced), uses one at or past it', () => {
    expect(streamVerdict({ lastSeq: 0 }, 12)).toMatchObject({ action: 'refuse', reason: expect.stringContaining('it was replaced') });
    expect(streamVerdict({ lastSeq: 12 }, 12)).toEqual({ action: 'use' });
    expect(streamVerdict({ lastSeq: 40 }, 12)).toEqual({ action: 'use' });
  });

  it('never creates when something was applied, whatever the stream holds', () => {
    fc.assert(fc.property(fc.option(fc.nat().map((lastSeq) => ({ lastSeq })), { nil: undefined }), fc.nat(), (found, applied) => {
      const v = streamVerdict(found, applied);
      if (v.action === 'create') expect([found, applied]).toEqual([undefined, 0]);
      if (found && found.lastSeq >= applied) expect(v.action).toBe('use');
    }));
  });
});
