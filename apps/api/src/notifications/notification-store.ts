import type { DeliveryView } from '@trainyard/contracts';

/**
 * What the API keeps of notifications outside the log (issue 15): each subscription's secret (never
 * in an event; written at creation, removed with the subscription) and the notifier's delivery log.
 */
export interface NotificationStore {
  /** Stores it unless one is stored already (a retried creation); resolves with the one stored. */
  storeSecret(subscriptionId: string, secret: string): Promise<string>;
  deleteSecret(subscriptionId: string): Promise<void>;
  listDeliveries(q: { subscriptionId?: string; jobId?: string; limit: number }): Promise<DeliveryView[]>;
}
