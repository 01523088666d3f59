import type { StoredCommit } from '@trainyard/contracts';
import {
  AckPolicy,
  DeliverPolicy,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type OrderedConsumerOptions,
} from '@nats-io/jetstream';
import { nanos, nuid } from '@nats-io/transport-node';
import { decodeCommit } from './codec';
import { MalformedCommit } from './errors';
import type { SubscribeOptions, Subscription } from './event-log';
import { backoffMs, Latch, reportError, sleepUnlessStopped } from './internal-util';

export interface LiveSubscriptionConfig extends SubscribeOptions {
  stream: string;
  filter: string;
  /** Messages per pull request: the client reads ahead at most this many commits. */
  batch: number;
  /** True once the NATS connection is closed for good: nothing left to resume. */
  connectionClosed: () => boolean;
}

/**
 * `EventLog.subscribe` over a JetStream ordered consumer, with its own resume loop on top.
 *
 * Position: `delivered` is the stream sequence of the last commit whose handler returned. The
 * ordered consumer already recreates itself after a reconnect at the sequence after the last one it
 * received; when it gives up instead (its iterator ends with an error), this loop creates a new
 * one at `delivered + 1`. Messages at or below `delivered` are dropped, so a commit is never handed
 * to the handler twice, whatever the recovery path.
 */
export class LiveSubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private readonly caught = new Latch();
  private readonly stopping = new Latch();
  private messages: ConsumerMessages | undefined;
  private delivered = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly cfg: LiveSubscriptionConfig,
    private readonly handler: (commit: StoredCommit) => Promise<void> | void,
  ) {
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
    // "Caught up" means: delivered up to the stream's end as it was when we started.
    let target: number | undefined;
    let start: number | undefined;
    for (let attempt = 0; !this.stopping.isOpen && !this.cfg.connectionClosed(); attempt++) {
      try {
        target ??= (await this.jsm.streams.info(this.cfg.stream)).state.last_seq;
        start ??= await this.startSeq();
        const consumer = await this.js.consumers.get(this.cfg.stream, this.consumerOptions(start));
        if (this.stopping.isOpen) break;
        const info = await consumer.info(true);
        if (info.num_pending === 0 || this.delivered >= target) this.caught.open();
        this.messages = await consumer.consume({ max_messages: this.cfg.batch, expires: 5_000 });
        // stop() may have run while consume() was being set up, closing nothing.
        if (this.stopping.isOpen) this.messages.close().catch(() => undefined);
        for await (const m of this.messages) {
          if (this.stopping.isOpen) break;
          attempt = 0;
          if (m.seq <= this.delivered) continue;
          await this.deliver(m.subject, m.seq, m.data);
          if (this.stopping.isOpen) break;
          this.delivered = m.seq;
          if (m.seq >= target || m.info.pending === 0) this.caught.open();
        }
        consumer.delete().catch(() => undefined);
      } catch (err) {
        if (this.stopping.isOpen) break;
        reportError(this.cfg.onError, err, { subject: this.cfg.filter, seq: this.delivered });
      }
      await sleepUnlessStopped(backoffMs(attempt), this.stopping);
    }
    this.messages = undefined;
  }

  private consumerOptions(startSeq: number): Partial<OrderedConsumerOptions> {
    return {
      filter_subjects: this.cfg.filter,
      opt_start_seq: this.delivered > 0 ? this.delivered + 1 : startSeq,
      inactive_threshold: 60_000,
    };
  }

  /**
   * The first sequence to deliver. A start time is turned into a sequence once, up front: the
   * server does the lookup when it creates a consumer (reporting `delivered.stream_seq` = start − 1),
   * and every later (re)creation then starts by sequence. nats.js's own recovery of an ordered
   * consumer that was created by time and has received nothing yet sends a config the server
   * rejects (start sequence and start time together), so it must never see a time.
   */
  private async startSeq(): Promise<number> {
    const from = this.cfg.from;
    if (!from || !('time' in from)) return Math.max(1, from?.seq ?? 1);
    const probe = await this.jsm.consumers.add(this.cfg.stream, {
      name: `ty_when_${nuid.next()}`,
      filter_subject: this.cfg.filter,
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: from.time.toISOString(),
      mem_storage: true,
      num_replicas: 1,
      inactive_threshold: nanos(10_000),
    });
    this.jsm.consumers.delete(this.cfg.stream, probe.name).catch(() => undefined);
    return probe.delivered.stream_seq + 1;
  }

  /** Hands one commit to the handler, retrying until it returns or the subscription stops. */
  private async deliver(subject: string, seq: number, data: Uint8Array): Promise<void> {
    let commit: StoredCommit;
    try {
      commit = decodeCommit(subject, seq, data);
    } catch (err) {
      // Bytes that do not decode now never will: hand them over (or report them) and move on rather
      // than stall forever.
      if (!(err instanceof MalformedCommit)) throw err;
      if (!this.cfg.onMalformed) return reportError(this.cfg.onError, err, { subject, seq });
      for (let attempt = 0; !this.stopping.isOpen; attempt++) {
        try {
          return await this.cfg.onMalformed(err);
        } catch (hookErr) {
          reportError(this.cfg.onError, hookErr, { subject, seq });
          await sleepUnlessStopped(backoffMs(attempt), this.stopping);
        }
      }
      return;
    }
    for (let attempt = 0; !this.stopping.isOpen; attempt++) {
      try {
        await this.handler(commit);
        return;
      } catch (err) {
        reportError(this.cfg.onError, err, commit);
        await sleepUnlessStopped(backoffMs(attempt), this.stopping);
      }
    }
  }
}
