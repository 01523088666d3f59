import fc from 'fast-check';
import { Subjects, type IdentityEvent } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { evolveIdentity, initialIdentity, type IdentityState } from './identity';
import { decideIdentity } from './identity.decide';
import { joinVerdict, type JoinTokenRecord } from './join-token';

const SHA = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);
const T0 = '2026-12-03T06:00:00.000Z';
const record = (over: Partial<JoinTokenRecord> = {}): JoinTokenRecord => ({
  tokenId: 'abcdefghijkl', secretSha256: SHA, nodeId: 'gpu-07', expiresAt: '2026-12-03T06:15:00.000Z', issuedAt: T0, issuedBy: 'user:root', ...over,
});

describe('joinVerdict - a join token lets its node in once, before it expires', () => {
  it('accepts the right secret of a fresh token', () => {
    expect(joinVerdict(record(), SHA, new Date('2026-12-03T06:05:00Z'))).toEqual({ ok: true });
  });

  it('refuses an unknown token, a wrong secret, a spent and an expired one', () => {
    const now = new Date('2026-12-03T06:05:00Z');
    expect(joinVerdict(undefined, SHA, now)).toEqual({ ok: false, reason: 'unknown' });
    expect(joinVerdict(record(), OTHER, now)).toEqual({ ok: false, reason: 'wrong-secret' });
    expect(joinVerdict(record({ redeemedAt: '2026-12-03T06:01:00Z' }), SHA, now)).toEqual({ ok: false, reason: 'spent' });
    expect(joinVerdict(record(), SHA, new Date('2026-12-03T06:15:00Z'))).toEqual({ ok: false, reason: 'expired' });
  });

  it('tells nothing about a token to a wrong secret', () => {
    const now = new Date('2026-12-03T07:00:00Z');
    expect(joinVerdict(record({ redeemedAt: T0 }), OTHER, now)).toEqual({ ok: false, reason: 'wrong-secret' });
  });
});

describe('issuing and redeeming on the identity aggregate', () => {
  const subject = Subjects.iamJoinToken('abcdefghijkl');
  const apply = (state: IdentityState, events: IdentityEvent[]) => events.reduce((s, e) => evolveIdentity(s, subject, e), state);
  const issue = (state: IdentityState) => {
    const d = decideIdentity({ type: 'IssueJoinToken', data: { tokenId: 'abcdefghijkl', secretSha256: SHA, nodeId: 'gpu-07', expiresAt: '2026-12-03T06:15:00.000Z', by: 'user:root' }, metadata: { now: T0 } }, state);
    if (!d.ok) throw new Error(d.rejection.message);
    return apply(state, d.events);
  };
  const redeem = (secretSha256: string, now: string) => ({ type: 'RedeemJoinToken' as const, data: { tokenId: 'abcdefghijkl', secretSha256, from: '10.0.1.7' }, metadata: { now } });

  it('the first redeem records NodeJoinTokenRedeemed for the node; the second is refused', () => {
    let state = issue(initialIdentity());
    expect(state.joinTokens.get('abcdefghijkl')).toMatchObject({ nodeId: 'gpu-07', issuedBy: 'user:root' });
    const first = decideIdentity(redeem(SHA, '2026-12-03T06:02:00.000Z'), state);
    expect(first).toMatchObject({ ok: true, events: [{ type: 'NodeJoinTokenRedeemed', data: { tokenId: 'abcdefghijkl', nodeId: 'gpu-07', from: '10.0.1.7' } }] });
    state = apply(state, first.ok ? first.events : []);
    const again = decideIdentity(redeem(SHA, '2026-12-03T06:03:00.000Z'), state);
    expect(again).toMatchObject({ ok: false, rejection: { code: 'UNAUTHENTICATED', reason: 'JoinTokenRefused', message: 'join token refused (spent)', details: [{ path: 'token' }] } });
  });

  it('issuing the same token id twice is a conflict', () => {
    const state = issue(initialIdentity());
    const d = decideIdentity({ type: 'IssueJoinToken', data: { tokenId: 'abcdefghijkl', secretSha256: OTHER, nodeId: 'gpu-08', expiresAt: T0, by: 'user:root' }, metadata: { now: T0 } }, state);
    expect(d).toMatchObject({ ok: false, rejection: { code: 'CONFLICT' } });
  });

  it('whatever is presented, in whatever order, at most one redeem ever succeeds (property)', () => {
    const attempt = fc.record({ right: fc.boolean(), minute: fc.integer({ min: 0, max: 30 }) });
    fc.assert(
      fc.property(fc.array(attempt, { maxLength: 12 }), (attempts) => {
        let state = issue(initialIdentity());
        let wins = 0;
        for (const a of attempts) {
          const d = decideIdentity(redeem(a.right ? SHA : OTHER, new Date(Date.parse(T0) + a.minute * 60_000).toISOString()), state);
          if (d.ok) {
            wins++;
            expect(a.right && a.minute < 15).toBe(true);
            state = apply(state, d.events);
          }
        }
        expect(wins).toBeLessThanOrEqual(1);
      }),
    );
  });
});
