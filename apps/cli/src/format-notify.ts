import type { DeliveryView, SubscriptionView } from '@trainyard/contracts';
import { renderTable } from './format';

/** One row per subscription: what it listens to and where it sends (never a secret: the API has none to show). */
export function formatSubscriptions(items: readonly SubscriptionView[]): string {
  if (!items.length) return 'No notification subscriptions.\n';
  return renderTable(
    ['ID', 'SCOPE', 'EVENTS', 'URL', 'CREATED BY'],
    items.map((s) => [s.id, s.scope === 'job' ? `job ${s.jobId}` : `project ${s.project}`, s.events.join(','), s.url, s.createdBy]),
  );
}

/** The delivery log: one row per notification, its status, attempts, the last answer and the next try. */
export function formatDeliveries(items: readonly DeliveryView[]): string {
  if (!items.length) return 'No deliveries yet.\n';
  return renderTable(
    ['EVENT', 'JOB', 'SEQ', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT', 'KEY'],
    items.map((d) => {
      const last = d.attempts.at(-1);
      const answer = last ? (last.statusCode !== null ? `HTTP ${last.statusCode}` : (last.error ?? '-')) : '-';
      return [d.event, d.jobId, String(d.seq), d.status, String(d.attempts.length), answer, d.status === 'pending' ? (d.nextAttemptAt ?? '-') : '-', d.key];
    }),
  );
}
