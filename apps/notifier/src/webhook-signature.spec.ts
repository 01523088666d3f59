import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './webhook-signature';

const secret = fc.stringMatching(/^[\x21-\x7e]{16,64}$/);
const t = fc.integer({ min: 1_000_000_000, max: 4_000_000_000 });

describe('webhook signature', () => {
  it('webhook signature - is HMAC-SHA256 of "<t>.<body>" in hex, as the header documents', () => {
    const body = '{"id":"s.1.0","event":"started"}';
    const want = createHmac('sha256', 'k'.repeat(16)).update(`1764745200.${body}`).digest('hex');
    expect(signWebhook('k'.repeat(16), body, 1764745200)).toBe(`t=1764745200,v1=${want}`);
  });

  it('webhook signature - what is signed verifies; another secret, another body, another time or a stale one does not', () => {
    fc.assert(
      fc.property(secret, secret, fc.string({ unit: 'grapheme' }), fc.string({ minLength: 1 }), t, (a, b, body, extra, at) => {
        const header = signWebhook(a, body, at);
        expect(verifyWebhook(a, body, header, { now: at + 10, toleranceSeconds: 300 })).toBe(true);
        if (a !== b) expect(verifyWebhook(b, body, header, { now: at, toleranceSeconds: 300 })).toBe(false);
        expect(verifyWebhook(a, body + extra, header, { now: at, toleranceSeconds: 300 })).toBe(false);
        expect(verifyWebhook(a, body, header.replace(`t=${at}`, `t=${at + 1}`), { now: at, toleranceSeconds: 300 })).toBe(false);
        expect(verifyWebhook(a, body, header, { now: at + 301, toleranceSeconds: 300 })).toBe(false);
      }),
    );
  });

  it('webhook signature - any header a receiver is sent parses without throwing, and a forged one is refused', () => {
    fc.assert(
      fc.property(secret, fc.string(), fc.string(), (s, body, header) => {
        expect(verifyWebhook(s, body, header, { now: 0, toleranceSeconds: 1e12 })).toBe(false);
      }),
    );
    expect(verifyWebhook('k'.repeat(16), 'x', undefined, { now: 0, toleranceSeconds: 1 })).toBe(false);
  });
});
