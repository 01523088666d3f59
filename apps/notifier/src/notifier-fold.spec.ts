import { event, type StoredCommit, Subjects, type TrainingJobSpec } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { notifierChanges, type NotifierStateReads } from './notifier-fold';

const T = '2026-12-03T06:00:00.000Z';
const meta = { commandId: 'c', correlationId: 'c', actor: 'test' };
const spec = (gpu: number) => ({ kind: 'job', metadata: { name: 'train', project: 'vision' }, algorithm: { command: 'true' }, spec: { resource: { pool: 'p', flavor: { cpu: 1, memoryMiB: 1, gpu }, nodeCount: 1 } } }) as unknown as TrainingJobSpec;
const sub = { subscriptionId: 's1', scope: { kind: 'project' as const, project: 'vision' }, events: ['started' as const, 'suspected-hang' as const], url: 'http://127.0.0.1/h', fromSeq: 5 };
const reads = (accelerated = true): NotifierStateReads => ({
  jobWithSubscriptions: async (id) => ({ job: { jobId: id, name: 'train', project: 'vision', accelerated }, subscriptions: [sub] }),
  subscriptionsForJob: async () => [sub],
});
const commit = (subject: string, seq: number, events: StoredCommit['events']): StoredCommit => ({ subject, seq, events, meta });
const now = new Date(T);

describe('notifier fold', () => {
  it('notifier fold - a subscription commit is a subscription from its own sequence, a removal ends it there', async () => {
    const made = await notifierChanges(commit(Subjects.notifySubscription('s1'), 5, [event('NotificationSubscribed', T, { subscriptionId: 's1', scope: sub.scope, events: sub.events, url: sub.url, by: 'user:a' })]), reads(), now);
    expect(made).toEqual({ subscribed: [sub], unsubscribed: [] });
    const ended = await notifierChanges(commit(Subjects.notifySubscription('s1'), 9, [event('NotificationUnsubscribed', T, { subscriptionId: 's1', by: 'user:a' })]), reads(), now);
    expect(ended).toEqual({ subscribed: [], unsubscribed: [{ subscriptionId: 's1', untilSeq: 9 }] });
  });

  it('notifier fold - a job commit makes one delivery per notifiable event, its body signed-ready and the same each time', async () => {
    const c = commit(Subjects.job('j1'), 7, [event('TaskStarted', T, { task: 'worker-0', attempt: 1, nodeId: 'n', procStartCount: 1 }), event('JobStarted', T, { attempt: 1 })]);
    const a = await notifierChanges(c, reads(), now);
    const b = await notifierChanges(c, reads(), new Date(T));
    expect(a.deliveries?.map((d) => [d.key, d.event, d.url])).toEqual([['s1.7.1', 'started', 'http://127.0.0.1/h']]);
    expect(b.deliveries?.[0].body).toBe(a.deliveries?.[0].body);
    expect(JSON.parse(a.deliveries![0].body)).toMatchObject({ id: 's1.7.1', event: 'started', eventZh: '作业开始', seq: 7, index: 1, job: { id: 'j1', name: 'train', project: 'vision' }, messageZh: '训练作业开始运行' });
  });

  it('notifier fold - the job facts come from its JobCreated (GPU/NPU or not), node commits and quiet job commits change nothing', async () => {
    const created = await notifierChanges(commit(Subjects.job('j2'), 3, [event('JobCreated', T, { jobId: 'j2', spec: spec(0), tasks: ['worker-0'], createdBy: 'u' })]), reads(), now);
    expect(created).toEqual({ jobs: [{ jobId: 'j2', name: 'train', project: 'vision', accelerated: false }] });
    expect(await notifierChanges(commit(Subjects.node('n1'), 4, [event('NodeReturned', T, { by: 'x', reason: 'y' })]), reads(), now)).toEqual({});
    expect(await notifierChanges(commit(Subjects.job('j2'), 6, [event('JobQueued', T, { priority: 1 })]), reads(), now)).toEqual({ jobs: [] });
    const hang = commit(Subjects.job('j2'), 8, [event('JobSuspectedHang', T, { attempt: 1, evidence: {} as never })]);
    expect((await notifierChanges(hang, reads(false), now)).deliveries).toEqual([]);
    expect((await notifierChanges(hang, reads(true), now)).deliveries?.map((d) => d.event)).toEqual(['suspected-hang']);
  });
});
