import type { SubscriptionView } from '@trainyard/contracts';
import type { Subscription } from '@trainyard/domain';

/** A subscription as listed: never its secret. */
export function subscriptionView(s: Subscription): SubscriptionView {
  return {
    id: s.subscriptionId,
    scope: s.scope.kind,
    jobId: s.scope.kind === 'job' ? s.scope.jobId : null,
    project: s.scope.project,
    events: s.events,
    url: s.url,
    description: s.description ?? null,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    fromSeq: s.fromSeq,
  };
}
