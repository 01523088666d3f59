import type { DomainEvent, NotificationEvent } from '@trainyard/contracts';
import { subscribedAt, type Subscription } from './subscription';

/** What the notifier knows of a job (from its `JobCreated`). */
export interface NotifiableJob {
  jobId: string;
  name: string;
  project: string;
  /** Its flavor has GPUs or NPUs: only then is `suspected-hang` notified (L2127). */
  accelerated: boolean;
}

/** One notification due: a subscription × one event of one commit. */
export interface DueNotification {
  /** `<subscriptionId>.<seq>.<index>`: the idempotency key, stable across retries and restarts. */
  key: string;
  subscriptionId: string;
  event: NotificationEvent;
  seq: number;
  index: number;
  /** The log event it stands for. */
  source: DomainEvent;
}

/**
 * Which log event is which notification event. 作业结束 (ended) is the successful end; an abnormal end
 * (a platform fault, 异常) is notified as failed, since the guide offers no event of its own for it.
 */
export function notificationEventOf(type: string): NotificationEvent | undefined {
  switch (type) {
    case 'JobStarted':
      return 'started';
    case 'JobSucceeded':
      return 'completed';
    case 'JobFailed':
    case 'JobAbnormal':
      return 'failed';
    case 'JobTerminated':
      return 'terminated';
    case 'JobSuspectedHang':
      return 'suspected-hang';
    default:
      return undefined;
  }
}

/** The idempotency key of a notification: only log positions, so every retry and every restart agree. */
export const notificationKey = (subscriptionId: string, seq: number, index: number) => `${subscriptionId}.${seq}.${index}`;

/**
 * The notifications one job commit (at `seq`) makes for `subscriptions`: each event that maps to a
 * notification event, for every subscription alive at `seq` whose scope holds the job and whose
 * events list it. Pure: the same commit and subscriptions give the same keys, whenever it runs.
 */
export function notificationsOf(commit: { seq: number; events: readonly DomainEvent[] }, job: NotifiableJob, subscriptions: readonly Subscription[]): DueNotification[] {
  const due: DueNotification[] = [];
  commit.events.forEach((source, index) => {
    const event = notificationEventOf(source.type);
    if (!event) return;
    if (event === 'suspected-hang' && !job.accelerated) return;
    for (const s of subscriptions) {
      if (!subscribedAt(s, commit.seq) || !s.events.includes(event)) continue;
      const inScope = s.scope.kind === 'job' ? s.scope.jobId === job.jobId : s.scope.project === job.project;
      if (inScope) due.push({ key: notificationKey(s.subscriptionId, commit.seq, index), subscriptionId: s.subscriptionId, event, seq: commit.seq, index, source });
    }
  });
  return due;
}
