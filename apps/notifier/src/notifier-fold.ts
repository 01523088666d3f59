import { DEFAULT_PROJECT, type DomainEvent, type JobEventData, NOTIFICATION_EVENT_TYPES, type NotificationEventType, type StoredCommit, Subjects } from '@trainyard/contracts';
import { type NotifiableJob, notificationEventOf, notificationsOf, type Subscription } from '@trainyard/domain';
import type { NewDelivery, NotifierChanges, NotifierSubscriptionRow } from '@trainyard/db';
import { webhookBody } from './webhook-body';

/** What the fold reads of the notifier's own tables. */
export interface NotifierStateReads {
  /** A job it folded, with every subscription whose scope could hold it. */
  jobWithSubscriptions(jobId: string): Promise<{ job: NotifiableJob; subscriptions: NotifierSubscriptionRow[] } | undefined>;
  /** Subscriptions of a job it is folding the creation of (in the same commit as its first notifiable event). */
  subscriptionsForJob(jobId: string, project: string): Promise<NotifierSubscriptionRow[]>;
}

const SUBSCRIPTION_PREFIX = 'ty.ev.notify.';

/** The job facts a notification needs, from its `JobCreated`. */
export function notifiableJob(d: JobEventData['JobCreated']): NotifiableJob {
  const flavor = d.spec.spec.resource.flavor;
  return {
    jobId: d.jobId,
    name: d.spec.metadata.name,
    project: d.spec.metadata.project || DEFAULT_PROJECT,
    accelerated: (flavor?.gpu ?? 0) > 0 || (flavor?.npu ?? 0) > 0,
  };
}

/**
 * What one commit of the log changes for the notifier: subscriptions made or ended, jobs it will
 * need to know, and the deliveries its events make. Commits of other aggregates change nothing.
 * `now` stamps new deliveries (due at once).
 */
export async function notifierChanges(commit: StoredCommit, reads: NotifierStateReads, now: Date): Promise<NotifierChanges> {
  if (commit.subject.startsWith(SUBSCRIPTION_PREFIX)) return subscriptionChanges(commit);
  const aggregate = Subjects.parseAggregate(commit.subject);
  if (aggregate?.kind !== 'job') return {};
  const created = commit.events.find((e): e is DomainEvent<'JobCreated'> => e.type === 'JobCreated');
  const jobs = created ? [notifiableJob(created.data)] : [];
  if (!commit.events.some((e) => notificationEventOf(e.type))) return { jobs };
  const known = jobs[0] ? { job: jobs[0], subscriptions: await reads.subscriptionsForJob(jobs[0].jobId, jobs[0].project) } : await reads.jobWithSubscriptions(aggregate.id);
  if (!known) return { jobs };
  const job = known.job;
  const subscriptions: Subscription[] = known.subscriptions.map((s) => ({
    subscriptionId: s.subscriptionId, scope: s.scope, events: s.events, url: s.url, fromSeq: s.fromSeq, untilSeq: s.untilSeq, createdAt: '', createdBy: '',
  }));
  const urls = new Map(subscriptions.map((s) => [s.subscriptionId, s.url]));
  const deliveries: NewDelivery[] = notificationsOf(commit, job, subscriptions).map((n) => ({
    key: n.key, subscriptionId: n.subscriptionId, jobId: job.jobId, event: n.event, seq: n.seq, url: urls.get(n.subscriptionId)!, body: webhookBody(n, job), createdAt: now.toISOString(),
  }));
  return { jobs, deliveries };
}

function subscriptionChanges(commit: StoredCommit): NotifierChanges {
  const changes: Required<Pick<NotifierChanges, 'subscribed' | 'unsubscribed'>> = { subscribed: [], unsubscribed: [] };
  for (const e of commit.events) {
    if (!(NOTIFICATION_EVENT_TYPES as readonly string[]).includes(e.type)) continue;
    const ev = e as DomainEvent<NotificationEventType>;
    if (ev.type === 'NotificationSubscribed') {
      changes.subscribed.push({ subscriptionId: ev.data.subscriptionId, scope: ev.data.scope, events: ev.data.events, url: ev.data.url, fromSeq: commit.seq });
    } else {
      changes.unsubscribed.push({ subscriptionId: ev.data.subscriptionId, untilSeq: commit.seq });
    }
  }
  return changes;
}
