/**
 * Notifications (issue 15): subscriptions to a job's or a project's notification events, delivered as
 * signed webhooks. A subscription is an aggregate of its own, `ty.ev.notify.<subscriptionId>`, so
 * every change of one is an event of the log. Its secret is never in an event: it is stored apart
 * (`notification_secrets`) and shown once, in the answer to its creation.
 */

/**
 * The guide's notification events (事件通知, L2118–2120, ch14 L9482–9483): 作业开始, 作业结束,
 * 作业失败, 作业终止, 作业疑似卡死. "作业结束" (ended) is the job's successful end here (`completed`);
 * a job that fails or is stopped has its own event. 作业疑似卡死 only for GPU/NPU jobs (L2127).
 */
export const NOTIFICATION_EVENTS = ['started', 'completed', 'failed', 'terminated', 'suspected-hang'] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/** The guide's name of each notification event, for the answer's and the webhook's texts. */
export const NOTIFICATION_EVENT_ZH: Readonly<Record<NotificationEvent, string>> = {
  started: '作业开始',
  completed: '作业结束',
  failed: '作业失败',
  terminated: '作业终止',
  'suspected-hang': '作业疑似卡死',
};

/** What a subscription listens to: one job's events, or those of every job of one project. */
export type SubscriptionScope = { kind: 'job'; jobId: string; project: string } | { kind: 'project'; project: string };

export interface NotificationEventData {
  /**
   * A webhook subscription was made (ours, issue 15). Only events of commits after this one are
   * notified (the guide: after a change "only state changes after it are notified", L9459).
   */
  NotificationSubscribed: {
    subscriptionId: string;
    scope: SubscriptionScope;
    events: NotificationEvent[];
    /** http(s) URL the notifications are POSTed to. */
    url: string;
    description?: string;
    by: string;
  };
  /** The subscription is gone: nothing more is sent, pending deliveries are cancelled. */
  NotificationUnsubscribed: { subscriptionId: string; by: string };
}
export type NotificationEventType = keyof NotificationEventData;
export const NOTIFICATION_EVENT_TYPES: readonly NotificationEventType[] = ['NotificationSubscribed', 'NotificationUnsubscribed'];

/** Subscription ids name an aggregate: lower-case UUIDs. */
export const SUBSCRIPTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** HTTP headers of every webhook request. */
export const WebhookHeaders = {
  /** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription's secret>` */
  signature: 'trainyard-signature',
  /** The delivery's idempotency key: the same on every attempt, before and after a restart. */
  idempotencyKey: 'idempotency-key',
  /** The notification event (`started`, …). */
  event: 'trainyard-event',
  /** 1-based attempt number of this request. */
  attempt: 'trainyard-attempt',
} as const;

/** The JSON body of a webhook (`POST <url>`): the same bytes on every attempt. */
export interface WebhookBody {
  /** The idempotency key (also the `Idempotency-Key` header). */
  id: string;
  event: NotificationEvent;
  /** The guide's name of the event (作业开始, …). */
  eventZh: string;
  subscriptionId: string;
  /** ISO-8601 time of the log event. */
  occurredAt: string;
  /** The log's sequence of the commit and the event's place in it. */
  seq: number;
  index: number;
  job: { id: string; name: string; project: string };
  /** The log event's data (attempt, reason, exit code, hang evidence…). */
  data: Record<string, unknown>;
  message: string;
  messageZh: string;
}

export type { AttemptOutcome, DeliveryStatus, DeliveryView, SubscriptionView } from './notification-api';
