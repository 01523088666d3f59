import {
  AckPolicy,
  DeliverPolicy,
  ReplayPolicy,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos, nuid } from '@nats-io/transport-node';
import { EventLogUnavailable } from './errors';

/** A bounded read: from a start to "the end as of now" (or `toSeq`), then done. */
export interface ReadRange {
  stream: string;
  filter: string;
  /** First stream sequence to deliver (inclusive). Default 1. */
  fromSeq?: number;
  /** Deliver nothing after this stream sequence. Default: whatever exists when the read gets there. */
  toSeq?: number;
  /** Messages per pull request. */
  batch: number;
}

const FETCH_EXPIRES_MS = 5_000;
const MAX_RESTARTS = 3;

/**
 * Delivers the messages of a range in stream order through a short-lived ephemeral pull consumer,
 * awaiting `onMsg` for each; resolves with the last delivered stream sequence (0 if none).
 *
 * Why a consumer and not message-by-message gets: creating one costs one round trip and it then
 * streams whole batches (≈126k msgs/s measured with batches of 1 000), while a get costs a round
 * trip per commit. The consumer reports how many matching messages remain (`num_pending`), so each
 * pull asks for exactly what exists and never waits for its expiry.
 */
export async function readRange(
  js: JetStreamClient,
  jsm: JetStreamManager,
  range: ReadRange,
  onMsg: (m: JsMsg) => Promise<void> | void,
): Promise<number> {
  let last = 0;
  let restarts = 0;
  let next = range.fromSeq ?? 1;
  for (;;) {
    const outcome = await readOnce(js, jsm, { ...range, fromSeq: next }, (m) => {
      last = m.seq;
      return onMsg(m);
    });
    if (outcome === 'done') return last;
    // A gap in delivery (e.g. a slow-consumer drop): restart after what was delivered.
    if (++restarts > MAX_RESTARTS) throw new EventLogUnavailable(`reading ${range.filter}: delivery kept breaking off`);
    next = Math.max(next, last + 1);
  }
}

async function readOnce(
  js: JetStreamClient,
  jsm: JetStreamManager,
  range: ReadRange,
  onMsg: (m: JsMsg) => Promise<void> | void,
): Promise<'done' | 'gap'> {
  const fromSeq = range.fromSeq ?? 1;
  const config: Partial<ConsumerConfig> = {
    name: `ty_read_${nuid.next()}`,
    filter_subject: range.filter,
    ack_policy: AckPolicy.None,
    replay_policy: ReplayPolicy.Instant,
    mem_storage: true,
    num_replicas: 1,
    // Cleans up after a reader that died before deleting its consumer.
    inactive_threshold: nanos(30_000),
    ...(fromSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq } : { deliver_policy: DeliverPolicy.All }),
  };
  const info = await jsm.consumers.add(range.stream, config);
  try {
    let remaining = info.num_pending;
    let deliverySeq = 0;
    while (remaining > 0) {
      const batch = await js.consumers
        .getConsumerFromInfo(info)
        .fetch({ max_messages: Math.min(range.batch, remaining), expires: FETCH_EXPIRES_MS });
      let got = 0;
      for await (const m of batch) {
        if (m.info.deliverySequence !== ++deliverySeq) return 'gap';
        got++;
        if (range.toSeq !== undefined && m.seq > range.toSeq) return 'done';
        await onMsg(m);
        remaining = m.info.pending;
        if (range.toSeq !== undefined && m.seq >= range.toSeq) return 'done';
      }
      if (got === 0) return 'gap';
    }
    return 'done';
  } finally {
    // Not awaited: the reader has what it needs, and the inactive threshold is the backstop.
    jsm.consumers.delete(range.stream, info.name).catch(() => undefined);
  }
}
