import type { CommitMeta, DomainEvent, StoredCommit } from '@trainyard/contracts';
import { Subjects } from '@trainyard/contracts';
import { commitMsgId, decodeCommit, encodeCommit } from './codec';
import { StreamVersionConflict } from './errors';
import type {
  AggregateHistory,
  AppendResult,
  ConsumeContext,
  ConsumeOptions,
  EventLog,
  SubscribeOptions,
  Subscription,
} from './event-log';
import { Latch, reportError, sleepUnlessStopped } from './internal-util';
import { assertAggregateSubject, assertDurableName, subjectMatches } from './subject-filter';

interface Stored {
  seq: number;
  subject: string;
  time: Date;
  /** Encoded, as on the wire: readers get fresh copies and the codec runs (upcasting included). */
  data: Uint8Array;
}

/**
 * An {@link EventLog} in process memory, for unit tests of the code that uses the port (handlers,
 * projectors) where no NATS runs. It passes the same conformance suite as `JetStreamEventLog`
 * (`event-log-conformance.ts`): expected sequences, command-id de-duplication (without a time
 * window), ordered subscriptions, replay, and durable consumers with nak and redelivery.
 *
 * @example
 * ```ts
 * const log = new InMemoryEventLog();
 * await handleCommand({ log, subject: Subjects.job('j1'), … });
 * expect((await log.read(Subjects.job('j1'))).commits).toHaveLength(1);
 * ```
 */
export class InMemoryEventLog implements EventLog {
  private readonly stored: Stored[] = [];
  private readonly lastBySubject = new Map<string, number>();
  private readonly msgIds = new Map<string, number>();
  private readonly durables = new Map<string, number>();
  private wake = new Latch();

  /** `now` stamps commits (for `subscribe({ from: { time } })`); inject a clock to control it. */
  constructor(private readonly now: () => Date = () => new Date()) {}

  async append(subject: string, events: DomainEvent[], meta: CommitMeta, expected: number | 'any'): Promise<AppendResult> {
    assertAggregateSubject(subject);
    if (events.length === 0) throw new TypeError(`append to ${subject}: a commit needs at least one event`);
    if (!meta?.commandId) throw new TypeError(`append to ${subject}: meta.commandId is required`);
    if (expected !== 'any' && !(Number.isSafeInteger(expected) && expected >= 0)) {
      throw new TypeError(`append to ${subject}: expected must be a sequence (≥ 0) or 'any', got ${expected}`);
    }
    // Same order of checks as JetStream: a duplicate wins over a stale expectation.
    const msgId = commitMsgId(subject, meta.commandId);
    const earlier = this.msgIds.get(msgId);
    if (earlier !== undefined) return { seq: earlier, duplicate: true };
    const last = this.lastBySubject.get(subject) ?? 0;
    if (expected !== 'any' && expected !== last) throw new StreamVersionConflict(subject, expected, last);

    const seq = this.stored.length + 1;
    this.stored.push({ seq, subject, time: this.now(), data: encodeCommit(events, meta) });
    this.lastBySubject.set(subject, seq);
    this.msgIds.set(msgId, seq);
    const woken = this.wake;
    this.wake = new Latch();
    woken.open();
    return { seq, duplicate: false };
  }

  async read(subject: string): Promise<AggregateHistory> {
    assertAggregateSubject(subject);
    const commits = this.stored.filter((m) => m.subject === subject).map(decode);
    return { commits, lastSeq: commits.at(-1)?.seq ?? 0 };
  }

  async replay(
    handler: (commit: StoredCommit) => Promise<void> | void,
    opts: { filter?: string; fromSeq?: number } = {},
  ): Promise<number> {
    const end = this.stored.length;
    const filter = opts.filter ?? Subjects.eventsAll;
    for (const m of this.stored.slice(Math.max(1, opts.fromSeq ?? 1) - 1, end)) {
      if (subjectMatches(filter, m.subject)) await handler(decode(m));
    }
    return end;
  }

  subscribe(opts: SubscribeOptions, handler: (commit: StoredCommit) => Promise<void> | void): Subscription {
    const filter = opts.filter ?? Subjects.eventsAll;
    const from = opts.from;
    let next =
      from && 'time' in from ? (this.stored.find((m) => m.time >= from.time)?.seq ?? this.stored.length + 1) : Math.max(1, from?.seq ?? 1);
    const target = this.stored.length;
    return this.loop(async (stopping, caught) => {
      if (next > target) caught.open();
      const m = this.stored[next - 1];
      if (!m) return { until: this.wake.promise };
      next++;
      if (subjectMatches(filter, m.subject)) {
        const commit = decode(m);
        for (let attempt = 0; !stopping.isOpen; attempt++) {
          try {
            await handler(commit);
            break;
          } catch (err) {
            reportError(opts.onError, err, commit);
            await sleepUnlessStopped(Math.min(2_000, 10 * 2 ** attempt), stopping);
          }
        }
      }
      if (m.seq >= target) caught.open();
      return undefined;
    });
  }

  consume(
    durable: string,
    filter: string,
    handler: (commit: StoredCommit, ctx: ConsumeContext) => Promise<void> | void,
    opts: ConsumeOptions = {},
  ): Subscription {
    assertDurableName(durable);
    let deliveryCount = 0;
    return this.loop(async (stopping, caught) => {
      const acked = this.durables.get(durable) ?? 0;
      const m = this.stored.slice(acked).find((s) => subjectMatches(filter, s.subject));
      if (!m) {
        caught.open();
        return { until: this.wake.promise };
      }
      const commit = decode(m);
      deliveryCount++;
      try {
        await handler(commit, { deliveryCount, working: () => undefined });
      } catch (err) {
        reportError(opts.onError, err, commit);
        await sleepUnlessStopped(opts.retryDelayMs ?? 1_000, stopping);
        return undefined;
      }
      deliveryCount = 0;
      this.durables.set(durable, m.seq);
      return undefined;
    });
  }

  async lastSeq(): Promise<number> {
    return this.stored.length;
  }

  /** Runs `step` until stopped; a step with nothing to do says what to wait for. */
  private loop(step: (stopping: Latch, caught: Latch) => Promise<Idle | undefined>): Subscription {
    const stopping = new Latch();
    const caught = new Latch();
    const done = (async () => {
      // Start asynchronously, like a real subscription: the caller finishes its own set-up first.
      await Promise.resolve();
      while (!stopping.isOpen) {
        const idle = await step(stopping, caught);
        if (idle) await Promise.race([idle.until, stopping.promise]);
      }
    })();
    return {
      caughtUp: caught.promise,
      async stop() {
        stopping.open();
        await done;
      },
    };
  }
}

/** Nothing to deliver until `until` resolves (the next append). */
interface Idle {
  until: Promise<void>;
}

function decode(m: Stored): StoredCommit {
  return decodeCommit(m.subject, m.seq, m.data);
}
