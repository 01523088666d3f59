import type { StoredCommit } from '@trainyard/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { decodeCommit } from './codec';
import { MalformedCommit } from './errors';
import type { ConsumeContext, ConsumeOptions, Subscription } from './event-log';
import { backoffMs, Latch, reportError, sleepUnlessStopped } from './internal-util';
import { assertDurableName } from './subject-filter';

export interface DurableConsumerConfig extends ConsumeOptions {
  stream: string;
  durable: string;
  filter: string;
  connectionClosed: () => boolean;
}

/**
 * Short, because handlers are kept alive with `working()` while they run: the ack wait only
 * matters when a process died mid-commit, or when nats-server 2.9 was killed and forgot acks it
 * had confirmed (its consumer state is not synced to disk), which stalls delivery this long.
 */
const DEFAULT_ACK_WAIT_MS = 10_000;

/**
 * `EventLog.consume` over a durable pull consumer with explicit acks.
 *
 * Order: `max_ack_pending: 1` makes the server hand out one commit at a time and wait for its ack,
 * so a nak'ed commit is redelivered before anything after it. That costs a round trip per commit,
 * which the per-node subjects this serves (a handful of commits per task) can afford; ordering
 * mistakes (a stop applied before its launch) they could not.
 */
export class DurableConsumer implements Subscription {
  readonly caughtUp: Promise<void>;
  private readonly caught = new Latch();
  private readonly stopping = new Latch();
  private messages: ConsumerMessages | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly cfg: DurableConsumerConfig,
    private readonly handler: (commit: StoredCommit, ctx: ConsumeContext) => Promise<void> | void,
  ) {
    assertDurableName(cfg.durable);
    this.caughtUp = this.caught.promise;
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.open();
    // Not awaited: the iterator only finishes closing once the delivery loop pulls from it again.
    this.messages?.close().catch(() => undefined);
    await this.done;
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopping.isOpen && !this.cfg.connectionClosed(); attempt++) {
      try {
        const info = await this.ensureConsumer();
        if (info.num_pending + info.num_ack_pending === 0) this.caught.open();
        const consumer = this.js.consumers.getConsumerFromInfo(info);
        this.messages = await consumer.consume({ max_messages: 16, expires: 5_000 });
        // stop() may have run while consume() was being set up, closing nothing.
        if (this.stopping.isOpen) this.messages.close().catch(() => undefined);
        for await (const m of this.messages) {
          attempt = 0;
          if (this.stopping.isOpen) {
            // Delivered but not handled: hand it back now rather than after the ack wait.
            m.nak();
            break;
          }
          const handled = await this.handle(m);
          if (handled && m.info.pending === 0) this.caught.open();
        }
      } catch (err) {
        if (this.stopping.isOpen) break;
        reportError(this.cfg.onError, err, { subject: this.cfg.filter, seq: 0 });
      }
      await sleepUnlessStopped(backoffMs(attempt), this.stopping);
    }
    this.messages = undefined;
  }

  /** Creates the durable, or aligns an existing one's mutable settings with ours. */
  private async ensureConsumer(): Promise<ConsumerInfo> {
    const ackWaitMs = this.cfg.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    const want: Partial<ConsumerConfig> = {
      durable_name: this.cfg.durable,
      filter_subject: this.cfg.filter,
      deliver_policy: DeliverPolicy.All,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: 1,
      max_deliver: -1,
    };
    try {
      return await this.jsm.consumers.add(this.cfg.stream, want);
    } catch (err) {
      // Servers that honour the "create" action (2.10+) refuse a durable with other settings
      // (2.9 simply updates it): update what may change.
      if (!(err instanceof Error && /already (exists|in use)/i.test(err.message))) throw err;
      return this.jsm.consumers.update(this.cfg.stream, this.cfg.durable, {
        filter_subject: want.filter_subject,
        ack_wait: want.ack_wait,
        max_ack_pending: 1,
        max_deliver: -1,
      });
    }
  }

  /** True when the commit is done with (acked or terminated), false when it will come again. */
  private async handle(m: JsMsg): Promise<boolean> {
    let commit: StoredCommit;
    try {
      commit = decodeCommit(m.subject, m.seq, m.data);
    } catch (err) {
      if (!(err instanceof MalformedCommit)) throw err;
      try {
        await this.cfg.onMalformed?.(err);
      } catch (hookErr) {
        // Not kept yet (its dead-letter store is away): let it come again rather than lose it.
        reportError(this.cfg.onError, hookErr, { subject: m.subject, seq: m.seq });
        m.nak(this.cfg.retryDelayMs ?? 1_000);
        return false;
      }
      // A poison message: stop redelivering it, and say so (STYLE 9). No reason on the term: 2.9
      // only knows a bare `+TERM`, and ignores `+TERM <reason>` (the message came back after every
      // ack wait, holding up everything behind it).
      m.term();
      reportError(this.cfg.onError, err, { subject: m.subject, seq: m.seq });
      return true;
    }
    const ackWaitMs = this.cfg.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
    // While the handler runs, keep the server from redelivering to someone else.
    // A publish on a closed connection throws; from a timer that would take the process down.
    const keepAlive = setInterval(() => {
      try {
        m.working();
      } catch {
        // The connection is gone: the server redelivers after the ack wait, to whoever is there.
      }
    }, Math.max(250, ackWaitMs / 3));
    try {
      await this.handler(commit, { deliveryCount: m.info.deliveryCount, working: () => m.working() });
    } catch (err) {
      reportError(this.cfg.onError, err, commit);
      m.nak(retryAfter(err) ?? this.cfg.retryDelayMs ?? 1_000);
      return false;
    } finally {
      clearInterval(keepAlive);
    }
    // Waiting for the server to confirm the ack makes "handled" durable before the next delivery,
    // so a consumer stopped right after this point resumes after this commit. If the confirmation
    // is lost, the commit comes again: handlers are idempotent (at-least-once).
    await m.ackAck().catch(() => false);
    return true;
  }
}

/** A handler's own back-off for a retry (`retryAfterMs` on the error it threw), if it set one. */
function retryAfter(err: unknown): number | undefined {
  const ms = (err as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
