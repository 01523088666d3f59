import { describe, expect, it } from 'vitest';
import { evolveSubscription, initialSubscription, type SubscriptionState } from './subscription';
import { decideSubscription, type SubscriptionCommand, UNSUBSCRIBABLE_JOB_STATES } from './subscription.decide';

const now = '2026-12-03T06:00:00.000Z';
const subscribe = (over: Partial<Extract<SubscriptionCommand, { type: 'Subscribe' }>['data']> = {}): SubscriptionCommand => ({
  type: 'Subscribe',
  data: { subscriptionId: 's1', scope: { kind: 'job', jobId: 'j1', project: 'default' }, events: ['started', 'failed'], url: 'http://127.0.0.1/x', by: 'user:a', job: { state: 'running', accelerated: false }, ...over },
  metadata: { now },
});
const fold = (cmds: SubscriptionCommand[]): SubscriptionState => {
  let s = initialSubscription();
  cmds.forEach((c, i) => {
    const d = decideSubscription(c, s);
    if (d.ok) for (const e of d.events) s = evolveSubscription(s, e, i + 1);
  });
  return s;
};

describe('subscription decider', () => {
  it('subscription decider - a job that is over takes no subscription (L9454): ILLEGAL_STATE at job', () => {
    for (const state of UNSUBSCRIBABLE_JOB_STATES) {
      const d = decideSubscription(subscribe({ job: { state, accelerated: true } }), initialSubscription());
      expect(d.ok ? 'accepted' : [d.rejection.code, d.rejection.details?.[0].path]).toEqual(['ILLEGAL_STATE', 'job']);
    }
    for (const state of ['creating', 'waiting', 'running', 'terminating']) expect(decideSubscription(subscribe({ job: { state, accelerated: false } }), initialSubscription()).ok).toBe(true);
  });

  it('subscription decider - suspected-hang on a job without GPUs or NPUs is refused at its index; a project scope takes it', () => {
    const d = decideSubscription(subscribe({ events: ['started', 'suspected-hang'] }), initialSubscription());
    expect(d.ok ? 'accepted' : [d.rejection.code, d.rejection.details]).toEqual(['VALIDATION_FAILED', [expect.objectContaining({ path: 'events[1]', code: 'FORBIDDEN_VALUE' })]]);
    expect(decideSubscription(subscribe({ events: ['suspected-hang'], job: { state: 'running', accelerated: true } }), initialSubscription()).ok).toBe(true);
    expect(decideSubscription(subscribe({ scope: { kind: 'project', project: 'default' }, job: undefined, events: ['suspected-hang'] }), initialSubscription()).ok).toBe(true);
  });

  it('subscription decider - subscribed from its commit, removed once; a second removal or a second creation is refused', () => {
    const unsubscribe: SubscriptionCommand = { type: 'Unsubscribe', data: { subscriptionId: 's1', by: 'user:b' }, metadata: { now } };
    expect(decideSubscription(unsubscribe, initialSubscription())).toMatchObject({ ok: false, rejection: { code: 'NOT_FOUND' } });
    const active = fold([subscribe()]);
    expect(active).toMatchObject({ status: 'active', fromSeq: 1, createdBy: 'user:a', createdAt: now });
    expect(decideSubscription(subscribe(), active)).toMatchObject({ ok: false, rejection: { code: 'CONFLICT' } });
    const removed = fold([subscribe(), unsubscribe]);
    expect(removed).toMatchObject({ status: 'removed', fromSeq: 1, untilSeq: 2 });
    expect(decideSubscription(unsubscribe, removed)).toMatchObject({ ok: false, rejection: { code: 'NOT_FOUND' } });
  });
});
