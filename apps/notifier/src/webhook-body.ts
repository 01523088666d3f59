import { eventText, NOTIFICATION_EVENT_ZH, type WebhookBody } from '@trainyard/contracts';
import type { DueNotification, NotifiableJob } from '@trainyard/domain';

/**
 * The JSON a notification sends: built once, when the delivery is recorded, and stored, so every
 * attempt sends the same bytes (and the signature of each covers exactly them).
 */
export function webhookBody(n: DueNotification, job: NotifiableJob): string {
  const text = eventText(n.source);
  const body: WebhookBody = {
    id: n.key,
    event: n.event,
    eventZh: NOTIFICATION_EVENT_ZH[n.event],
    subscriptionId: n.subscriptionId,
    occurredAt: n.source.time,
    seq: n.seq,
    index: n.index,
    job: { id: job.jobId, name: job.name, project: job.project },
    data: n.source.data as Record<string, unknown>,
    message: text.en,
    messageZh: text.zh,
  };
  return JSON.stringify(body);
}
