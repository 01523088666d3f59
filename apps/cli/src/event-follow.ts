import type { ClusterEventView } from '@trainyard/contracts';
import type { ApiClient, ClusterEventQuery } from './api-client';
import { CliError } from './cli-error';
import { DEFAULT_FOLLOW_POLICY, type FollowDeps, type FollowPolicy, followSse } from './sse-follow';

/**
 * Follows the cluster-wide event stream (`GET /v1/events?follow=true`) until Ctrl-C. A dropped
 * connection is reopened with `Last-Event-ID` = the last event printed, so nothing is printed twice
 * or skipped; events the server repeats anyway (an id not after the cursor) are dropped.
 */
export async function followEvents(
  client: Pick<ApiClient, 'openEventStream'>,
  query: ClusterEventQuery,
  hooks: { event(e: ClusterEventView): void; notice(text: string): void },
  deps: FollowDeps,
  policy: FollowPolicy = DEFAULT_FOLLOW_POLICY,
): Promise<never> {
  let last: string | undefined = query.after;
  return followSse<never>(
    {
      open: () => client.openEventStream({ ...query, after: undefined }, last),
      take(ev) {
        if (ev.event !== 'event') return false;
        const e = JSON.parse(ev.data) as ClusterEventView;
        if (last && !after(e.id, last)) return false;
        hooks.event(e);
        last = e.id;
        return true;
      },
      closedMessage: 'the server closed the event stream',
      notice: () => `event stream interrupted; reconnecting ${last ? `after ${last}` : 'from the start'}\n`,
      lost: (lastError, max) => new CliError('EVENT_STREAM_LOST', `gave up following the event stream after ${max} reconnects: ${(lastError as Error)?.message ?? lastError}`),
    },
    hooks.notice,
    deps,
    policy,
  );
}

/** Whether event id `a` (`<seq>.<idx>`) comes after cursor `b` (`<seq>` or `<seq>.<idx>`). */
export function after(a: string, b: string): boolean {
  const [as, ai = '0'] = a.split('.');
  const [bs, bi] = b.split('.');
  if (Number(as) !== Number(bs)) return Number(as) > Number(bs);
  return bi === undefined ? false : Number(ai) > Number(bi);
}
