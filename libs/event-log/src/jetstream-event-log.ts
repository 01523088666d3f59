import { Streams, Subjects, type CommitMeta, type DomainEvent, type StoredCommit } from '@trainyard/contracts';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  type JetStreamPublishOptions,
} from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { commitMsgId, decodeCommit, encodeCommit } from './codec';
import { DurableConsumer } from './durable-consumer';
import { MalformedCommit, STREAM_MISSING_HINT, StreamMissing, toEventLogError } from './errors';
import type {
  AggregateHistory,
  AppendResult,
  ConsumeContext,
  ConsumeOptions,
  EventLog,
  ReplayOptions,
  SubscribeOptions,
  Subscription,
} from './event-log';
import { LiveSubscription } from './live-subscription';
import { readRange } from './read-range';
import { assertAggregateSubject, assertDurableName } from './subject-filter';

/** Options of {@link JetStreamEventLog}. */
export interface JetStreamEventLogOptions {
  /** Stream holding the commits. Default `TY_EVENTS`. */
  stream?: string;
  /** Commits per pull request when reading, replaying and subscribing. Default 1 000. */
  batch?: number;
  /** How long an append or API request waits for JetStream. Default 5 000 ms. */
  timeoutMs?: number;
}

/**
 * The {@link EventLog} on a JetStream stream (decision 1). Streams must exist: a service calls
 * `openStreams` (their owner) or `awaitStreams` at start-up. One instance per connection is enough;
 * it holds no state besides its JetStream contexts.
 *
 * @example
 * ```ts
 * const nc = await connectNats(undefined, 'scheduler');
 * await awaitStreams(nc);
 * const log = new JetStreamEventLog(nc);
 * const { seq } = await log.append(Subjects.job('j1'), [event('JobQueued', now, { priority: 1 })], meta, 4);
 * ```
 */
export class JetStreamEventLog implements EventLog {
  readonly stream: string;
  private readonly js: JetStreamClient;
  private readonly batch: number;
  private readonly timeoutMs: number;
  private jsmPromise: Promise<JetStreamManager> | undefined;

  constructor(
    readonly nc: NatsConnection,
    opts: JetStreamEventLogOptions = {},
  ) {
    this.stream = opts.stream ?? Streams.events;
    this.batch = opts.batch ?? 1_000;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.js = jetstream(nc, { timeout: this.timeoutMs });
  }

  async append(subject: string, events: DomainEvent[], meta: CommitMeta, expected: number | 'any'): Promise<AppendResult> {
    assertAggregateSubject(subject);
    if (events.length === 0) throw new TypeError(`append to ${subject}: a commit needs at least one event`);
    if (!meta?.commandId) throw new TypeError(`append to ${subject}: meta.commandId is required`);
    if (expected !== 'any' && !(Number.isSafeInteger(expected) && expected >= 0)) {
      throw new TypeError(`append to ${subject}: expected must be a sequence (≥ 0) or 'any', got ${expected}`);
    }
    const opts: Partial<JetStreamPublishOptions> = { msgID: commitMsgId(subject, meta.commandId) };
    if (expected !== 'any') opts.expect = { lastSubjectSequence: expected };
    if (meta.traceparent) {
      // Decision 11: the trace context travels in the headers too, for tools that never decode bodies.
      const h = headers();
      h.set('traceparent', meta.traceparent);
      opts.headers = h;
    }
    try {
      const ack = await this.js.publish(subject, encodeCommit(events, meta), opts);
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      // A publish no stream captures is answered "no responders", as when JetStream is down: ask which.
      if ((err as Error)?.name === 'JetStreamNotEnabled' && (await this.streamIsMissing())) {
        throw new StreamMissing(`append to ${subject}: stream ${this.stream} is missing: ${STREAM_MISSING_HINT}`, { cause: err });
      }
      throw toEventLogError(
        err,
        `append to ${subject}`,
        expected === 'any' ? undefined : { subject, expected },
      );
    }
  }

  /** True only when JetStream answers that the stream does not exist. */
  private async streamIsMissing(): Promise<boolean> {
    try {
      await (await this.jsm()).streams.info(this.stream);
      return false;
    } catch (err) {
      return toEventLogError(err, `info ${this.stream}`) instanceof StreamMissing;
    }
  }

  async read(subject: string): Promise<AggregateHistory> {
    assertAggregateSubject(subject);
    const commits: StoredCommit[] = [];
    try {
      await readRange(this.js, await this.jsm(), { stream: this.stream, filter: subject, batch: this.batch }, (m) => {
        commits.push(decodeCommit(m.subject, m.seq, m.data));
      });
    } catch (err) {
      throw toEventLogError(err, `read ${subject}`);
    }
    return { commits, lastSeq: commits.at(-1)?.seq ?? 0 };
  }

  async replay(handler: (commit: StoredCommit) => Promise<void> | void, opts: ReplayOptions = {}): Promise<number> {
    const end = await this.lastSeq();
    const fromSeq = Math.max(1, opts.fromSeq ?? 1);
    if (fromSeq > end) return end;
    const range = { stream: this.stream, filter: opts.filter ?? Subjects.eventsAll, fromSeq, toSeq: end, batch: this.batch };
    const deliver = (m: { subject: string; seq: number; data: Uint8Array }) => {
      let commit: StoredCommit;
      try {
        commit = decodeCommit(m.subject, m.seq, m.data);
      } catch (err) {
        if (err instanceof MalformedCommit && opts.onMalformed) return opts.onMalformed(err);
        throw err;
      }
      return handler(commit);
    };
    try {
      await readRange(this.js, await this.jsm(), range, deliver);
    } catch (err) {
      throw toEventLogError(err, `replay ${range.filter}`);
    }
    return end;
  }

  subscribe(opts: SubscribeOptions, handler: (commit: StoredCommit) => Promise<void> | void): Subscription {
    return new LazySubscription(async () => {
      const jsm = await this.jsm();
      return new LiveSubscription(
        this.js,
        jsm,
        {
          ...opts,
          stream: this.stream,
          filter: opts.filter ?? Subjects.eventsAll,
          batch: this.batch,
          connectionClosed: () => this.nc.isClosed(),
        },
        handler,
      );
    });
  }

  consume(
    durable: string,
    filter: string,
    handler: (commit: StoredCommit, ctx: ConsumeContext) => Promise<void> | void,
    opts: ConsumeOptions = {},
  ): Subscription {
    assertDurableName(durable);
    return new LazySubscription(async () => {
      const jsm = await this.jsm();
      return new DurableConsumer(
        this.js,
        jsm,
        { ...opts, stream: this.stream, durable, filter, connectionClosed: () => this.nc.isClosed() },
        handler,
      );
    });
  }

  async lastSeq(): Promise<number> {
    try {
      return (await (await this.jsm()).streams.info(this.stream)).state.last_seq;
    } catch (err) {
      throw toEventLogError(err, `info ${this.stream}`);
    }
  }

  private jsm(): Promise<JetStreamManager> {
    // checkAPI off: the first call must not fail just because NATS is restarting; requests will.
    this.jsmPromise ??= jetstreamManager(this.nc, { timeout: this.timeoutMs, checkAPI: false });
    return this.jsmPromise;
  }
}

/** A subscription whose set-up needs a round trip; `subscribe()` itself stays synchronous. */
class LazySubscription implements Subscription {
  readonly caughtUp: Promise<void>;
  private readonly inner: Promise<Subscription>;

  constructor(create: () => Promise<Subscription>) {
    this.inner = create();
    this.caughtUp = this.inner.then((s) => s.caughtUp);
    // Set-up failures surface through stop() (and caughtUp for whoever awaits it), never as an
    // unhandled rejection that would take the process down.
    this.caughtUp.catch(() => undefined);
  }

  async stop(): Promise<void> {
    await (await this.inner).stop();
  }
}
