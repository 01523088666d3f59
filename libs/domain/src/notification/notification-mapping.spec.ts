import fc from 'fast-check';
import { type DomainEvent, NOTIFICATION_EVENTS, type NotificationEvent } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { type NotifiableJob, notificationEventOf, notificationsOf } from './notification-mapping';
import type { Subscription } from './subscription';

const T = '2026-12-03T06:00:00.000Z';
const ev = (type: string, data: Record<string, unknown> = { attempt: 1 }) => ({ type, version: 1, time: T, data }) as unknown as DomainEvent;
const job = (over: Partial<NotifiableJob> = {}): NotifiableJob => ({ jobId: 'j1', name: 'n', project: 'vision', accelerated: true, ...over });
const sub = (over: Partial<Subscription> = {}): Subscription => ({
  subscriptionId: 's1', scope: { kind: 'project', project: 'vision' }, events: [...NOTIFICATION_EVENTS], url: 'http://127.0.0.1/x', createdAt: T, createdBy: 'user:a', fromSeq: 10, ...over,
});
const LOG_TYPES = ['JobCreated', 'JobQueued', 'JobScheduled', 'JobStarted', 'TaskStarted', 'TaskExited', 'JobSucceeded', 'JobFailed', 'JobAbnormal', 'JobStopRequested', 'JobTerminated', 'JobSuspectedHang', 'JobRestarted', 'JobPreempted', 'JobWaiting'];

describe('notification mapping', () => {
  it('notification mapping - the guide events: started, completed (ended), failed (abnormal too), terminated, suspected hang; nothing else', () => {
    expect(Object.fromEntries(LOG_TYPES.map((t) => [t, notificationEventOf(t) ?? null]))).toEqual({
      JobCreated: null, JobQueued: null, JobScheduled: null, JobStarted: 'started', TaskStarted: null, TaskExited: null, JobSucceeded: 'completed',
      JobFailed: 'failed', JobAbnormal: 'failed', JobStopRequested: null, JobTerminated: 'terminated', JobSuspectedHang: 'suspected-hang',
      JobRestarted: null, JobPreempted: null, JobWaiting: null,
    });
  });

  it('notification mapping - suspected hang is notified for GPU/NPU jobs only, even to a subscription that lists it', () => {
    const commit = { seq: 20, events: [ev('JobSuspectedHang')] };
    expect(notificationsOf(commit, job({ accelerated: true }), [sub()]).map((n) => n.event)).toEqual(['suspected-hang']);
    expect(notificationsOf(commit, job({ accelerated: false }), [sub()])).toEqual([]);
  });

  it('notification mapping - only events after the subscription and before its removal, of its job or project, of its events', () => {
    const at = (seq: number) => notificationsOf({ seq, events: [ev('JobStarted')] }, job(), [sub({ fromSeq: 10, untilSeq: 30 })]).length;
    expect([at(9), at(10), at(11), at(29), at(30), at(31)]).toEqual([0, 0, 1, 1, 0, 0]);
    const c = { seq: 20, events: [ev('JobStarted'), ev('JobSucceeded')] };
    expect(notificationsOf(c, job(), [sub({ scope: { kind: 'project', project: 'other' } })])).toEqual([]);
    expect(notificationsOf(c, job(), [sub({ scope: { kind: 'job', jobId: 'j2', project: 'vision' } })])).toEqual([]);
    expect(notificationsOf(c, job(), [sub({ scope: { kind: 'job', jobId: 'j1', project: 'vision' }, events: ['completed'] })]).map((n) => [n.key, n.event, n.index])).toEqual([['s1.20.1', 'completed', 1]]);
  });

  it('notification mapping - keys are unique per (subscription, event) and the same however often the commit is mapped', () => {
    const events = fc.array(fc.constantFrom(...LOG_TYPES).map((t) => ev(t)), { maxLength: 8 });
    const subs = fc.uniqueArray(
      fc.record({
        id: fc.constantFrom('a', 'b', 'c', 'd'),
        events: fc.subarray([...NOTIFICATION_EVENTS] as NotificationEvent[], { minLength: 1 }),
        fromSeq: fc.integer({ min: 0, max: 50 }),
        project: fc.constantFrom('vision', 'nlp'),
      }),
      { selector: (s) => s.id, maxLength: 4 },
    ).map((xs) => xs.map((x) => sub({ subscriptionId: x.id, events: x.events, fromSeq: x.fromSeq, scope: { kind: 'project', project: x.project } })));
    fc.assert(
      fc.property(events, subs, fc.integer({ min: 1, max: 60 }), fc.boolean(), (es, ss, seq, accelerated) => {
        const once = notificationsOf({ seq, events: es }, job({ accelerated }), ss);
        const again = notificationsOf({ seq, events: es }, job({ accelerated }), [...ss].reverse());
        expect(new Set(once.map((n) => n.key)).size).toBe(once.length);
        expect(new Set(again.map((n) => n.key))).toEqual(new Set(once.map((n) => n.key)));
        for (const n of once) {
          const s = ss.find((x) => x.subscriptionId === n.subscriptionId)!;
          expect(s.fromSeq).toBeLessThan(seq);
          expect(s.events).toContain(n.event);
          expect(notificationEventOf(es[n.index].type)).toBe(n.event);
          expect(n.key).toBe(`${n.subscriptionId}.${seq}.${n.index}`);
        }
        // Every event that maps, for every subscription that wants it, is there.
        const want = ss.flatMap((s) => es.flatMap((e, i) => {
          const ne = notificationEventOf(e.type);
          return ne && s.fromSeq < seq && s.events.includes(ne) && s.scope.project === 'vision' && (ne !== 'suspected-hang' || accelerated) ? [`${s.subscriptionId}.${seq}.${i}`] : [];
        }));
        expect(once.map((n) => n.key).sort()).toEqual(want.sort());
      }),
    );
  });
});
