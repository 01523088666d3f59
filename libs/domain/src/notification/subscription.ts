import type { DomainEvent, NotificationEvent, NotificationEventType, SubscriptionScope } from '@trainyard/contracts';

/**
 * One webhook subscription (issue 15), folded from its aggregate `ty.ev.notify.<id>`. `fromSeq` is
 * the sequence of the commit that made it and `untilSeq` that of its removal: a log event at
 * sequence `s` is notified iff `fromSeq < s` and (`untilSeq` absent or `s < untilSeq`) — a rule of
 * the log alone, so a notifier deciding late (after a restart, or reading the log again) decides the
 * same as one deciding at once.
 */
export interface Subscription {
  subscriptionId: string;
  scope: SubscriptionScope;
  events: NotificationEvent[];
  url: string;
  description?: string;
  createdAt: string;
  createdBy: string;
  fromSeq: number;
  untilSeq?: number;
  removedAt?: string;
}

export type SubscriptionState = { status: 'none' } | ({ status: 'active' } & Subscription) | ({ status: 'removed' } & Subscription);
export type SubscriptionEvent = DomainEvent<NotificationEventType>;

export const initialSubscription = (): SubscriptionState => ({ status: 'none' });

/** Folds one event of the aggregate; `seq` is the sequence of the commit that holds it. */
export function evolveSubscription(state: SubscriptionState, event: SubscriptionEvent, seq: number): SubscriptionState {
  switch (event.type) {
    case 'NotificationSubscribed': {
      if (state.status !== 'none') return state;
      const d = event.data;
      return {
        status: 'active', subscriptionId: d.subscriptionId, scope: d.scope, events: d.events, url: d.url,
        ...(d.description ? { description: d.description } : {}), createdAt: event.time, createdBy: d.by, fromSeq: seq,
      };
    }
    case 'NotificationUnsubscribed':
      return state.status === 'active' ? { ...state, status: 'removed', untilSeq: seq, removedAt: event.time } : state;
  }
}

/** Whether a log event at `seq` falls inside the subscription's life. */
export const subscribedAt = (s: Pick<Subscription, 'fromSeq' | 'untilSeq'>, seq: number): boolean => s.fromSeq < seq && (s.untilSeq === undefined || seq < s.untilSeq);
