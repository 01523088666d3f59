import type { ConsumeOptions, SubscribeOptions } from '@trainyard/event-log';

/**
 * Where the commits of one `@EventPattern('<name>')` come from, given at start-up (durable names and
 * filters often hold the node id, which a decorator cannot know):
 *
 * - `durable`: `EventLog.consume` — a durable consumer with explicit acks: a commit is acked only after
 *   the handler succeeded, kept alive with `working()` while it runs, redelivered after a throw (or a
 *   crash, after the ack wait) to whichever process holds the durable next.
 * - `ordered`: `EventLog.subscribe` — every commit in stream order from `from`, no acks; a throw is
 *   retried on the same commit (the subscription stalls, it never skips).
 */
export type ConsumerBinding =
  | ({ kind: 'durable'; durable: string; filter: string } & ConsumeOptions)
  | ({ kind: 'ordered' } & SubscribeOptions);
