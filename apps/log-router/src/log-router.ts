import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeLogBatch, type LogBatch, type LogStoredNotice, Streams, Subjects } from '@trainyard/contracts';
import { LogWriteBuilder, MalformedLogBatch, type LogWrite, type StoredAttempt } from '@trainyard/db';
import {
  applyOrQuarantine, type BatchPorts, countDeadLetter, deadLetter, type DeadLetter, retryPolicy, type RetryPolicy,
} from '@trainyard/quarantine';
import { STREAM_MISSING_HINT, StreamMissing, toEventLogError } from '@trainyard/event-log';
import { senderOf, senderRefusal } from './log-sender';
import type { TaskPlacements } from './task-placements';

/** Where the router keeps lines: one transaction stores a write and its checkpoint (`storeLogWrite`). */
export interface LogStore {
  /** The last TY_LOGS stream sequence stored under `name` (0 before the first). */
  checkpoint(name: string): Promise<number>;
  write(w: LogWrite): Promise<StoredAttempt[]>;
  /** Keeps a message it cannot store as a dead letter and moves checkpoint `name` past it, in one transaction (`quarantineLogMessage`). */
  quarantine(name: string, letter: DeadLetter): Promise<void>;
}

export interface LogRouterOptions {
  /** Name of the router's checkpoint. Default `log-router`. */
  name: string;
  /** Most messages stored per transaction. Default 500. */
  batch: number;
  log?: (msg: string) => void;
  /** After each stored write (metrics). */
  onStored?: (s: { messages: number; lines: number; ms: number; streamSeq: number }) => void;
  /** Retries and back-off before a message the store refuses is quarantined (default 3 tries from 100 ms). */
  retry?: Partial<RetryPolicy>;
  /**
   * Where each task was placed (issue 11): a batch whose sending node never held its task is
   * quarantined, not stored. Absent: only the subject's job and task are checked against the body.
   */
  placements?: TaskPlacements;
}

export const DEFAULT_LOG_ROUTER_OPTIONS: LogRouterOptions = { name: 'log-router', batch: 500 };

/** One TY_LOGS message as the router handles it, decoded once (`batch` undefined: not a log batch). */
interface LogMessage {
  seq: number;
  subject: string;
  data: Uint8Array;
  batch: LogBatch | undefined;
  /** Why this batch may not be stored (its sender may not write it). */
  refusal?: string;
}

/**
 * A batch its sender may not write (log-sender.ts): another job's or node's lines. Final: it is
 * quarantined with the reason, so the attempt is on record for an operator, and never stored.
 */
export class ForeignLogBatch extends Error {
  override readonly name = 'ForeignLogBatch';
  readonly retryable = false;
  readonly poison = true;
  constructor(readonly seq: number, why: string) {
    super(`TY_LOGS message ${seq} refused: ${why}`);
  }
}

const TICK = Symbol('tick');
const nextTick = () => new Promise<typeof TICK>((r) => setImmediate(() => r(TICK)));

/**
 * Moves task output from `TY_LOGS` into the store. It reads the stream in order with an ordered
 * consumer starting after its checkpoint, and stores whatever has arrived (up to `batch` messages)
 * together with the new checkpoint in one transaction: its acknowledgement is that checkpoint, so a
 * router killed at any point resumes exactly after what it stored — nothing lost, nothing twice,
 * every task's lines in order. A failed store is retried with the same messages before anything
 * newer: forever when the database is away; a message the store refuses (a NUL in a line's text, a
 * constraint) is isolated and, after a few tries, quarantined with its bytes (`dead_letters`, with
 * the checkpoint), as is one that is not a log batch at all — the router moves on (issue 9). After
 * each store it sends `ty.logstored.<job>.<task>` so live follows read at once.
 *
 * One router is active per stream (like the scheduler, decision 7); a second one would store the
 * same chunks again, harmlessly, but for nothing.
 */
export class LogRouter {
  private stopping = false;
  private done?: Promise<void>;
  private stopCurrent?: () => void;
  private streamMissing = false;
  private wake?: () => void;
  private readonly policy: RetryPolicy;
  private readonly ports: BatchPorts<LogMessage>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: LogStore,
    private readonly options: LogRouterOptions = DEFAULT_LOG_ROUTER_OPTIONS,
  ) {
    // The store throws only database errors (classified by SQLSTATE) and MalformedLogBatch: anything
    // else is an odd outage, waited out.
    this.policy = retryPolicy({ baseDelayMs: 100, ...options.retry, unknownIs: 'transient' });
    this.ports = {
      apply: (msgs) => this.storeRun(msgs),
      quarantine: async (m, failure, attempts) => {
        const letter = deadLetter(this.options.name, { stream: Streams.logs, seq: m.seq, subject: m.subject }, failure, attempts, m.data);
        await this.store.quarantine(this.options.name, letter);
        countDeadLetter(letter);
        this.say(`quarantined TY_LOGS message ${m.seq} (${m.subject}) after ${letter.attempts} attempt(s): ${letter.code} ${letter.message}`);
      },
      onFailure: (msgs, failure, step) =>
        this.say(
          `storing ${msgs.length} log message(s) from ${msgs[0].seq} failed (${failure.code} ${failure.message}), ` +
            (step.action === 'retry' ? `retrying in ${step.delayMs} ms` : 'quarantining'),
        ),
      sleep: (ms) => new Promise<void>((r) => {
        const t = setTimeout(r, ms);
        this.wake = () => (clearTimeout(t), r());
      }),
      stopped: () => this.stopping,
    };
  }

  async start(): Promise<void> {
    this.done = this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopCurrent?.();
    this.wake?.();
    await this.done;
  }

  private async run(): Promise<void> {
    const js = jetstream(this.nc);
    while (!this.stopping) {
      try {
        const from = (await this.store.checkpoint(this.options.name)) + 1;
        // TY_LOGS holds only ty.log.>: no filter (a filter would need nats-server 2.10 for ordered consumers).
        const consumer = await js.consumers.get(Streams.logs, {
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: from,
        });
        const messages = await consumer.consume({ max_messages: Math.max(1000, this.options.batch * 2) });
        if (this.streamMissing) this.say(`stream ${Streams.logs} is back`);
        this.streamMissing = false;
        this.stopCurrent = () => void messages.stop();
        if (this.stopping) messages.stop();
        const it = messages[Symbol.asyncIterator]();
        let pending: Promise<IteratorResult<JsMsg>> | undefined;
        while (!this.stopping) {
          const first = await (pending ?? it.next());
          pending = undefined;
          if (first.done) break;
          const group = [first.value];
          // Everything already buffered goes in the same transaction; never wait for more.
          while (group.length < this.options.batch) {
            pending = it.next();
            const r = await Promise.race([pending, nextTick()]);
            if (r === TICK) break;
            pending = undefined;
            if (r.done) break;
            group.push(r.value);
          }
          await this.storeGroup(group);
        }
        messages.stop();
      } catch (err) {
        if (this.stopping) break;
        if (toEventLogError(err, `read ${Streams.logs}`) instanceof StreamMissing) {
          // An outage until someone restores the store: said once, never "fixed" by recreating it.
          if (!this.streamMissing) this.say(`stream ${Streams.logs} is missing: ${STREAM_MISSING_HINT}; waiting for it`);
          this.streamMissing = true;
          await sleep(2_000);
          continue;
        }
        this.say(`log consumer interrupted, resuming from the checkpoint: ${(err as Error).message}`);
        await sleep(500);
      }
    }
  }

  private async storeGroup(group: JsMsg[]): Promise<void> {
    const msgs: LogMessage[] = group.map((m) => ({ seq: m.seq, subject: m.subject, data: m.data, batch: decodeLogBatch(m.data) }));
    for (const m of msgs) if (m.batch) m.refusal = await this.refusal(m.subject, m.batch);
    // A message that is not a batch, or may not be stored, goes alone, so the run before it is stored as one write.
    for (let i = 0; i < msgs.length && !this.stopping; ) {
      const bad = msgs.findIndex((m, j) => j >= i && (!m.batch || m.refusal));
      const end = bad === i ? i + 1 : bad === -1 ? msgs.length : bad;
      await applyOrQuarantine(msgs.slice(i, end), this.ports, { policy: this.policy });
      i = end;
    }
    if (this.stopping) throw new Error('log router stopping');
  }

  /** Stores a run of messages and the checkpoint after them as one write, then tells followers. */
  private async storeRun(msgs: readonly LogMessage[]): Promise<void> {
    const started = performance.now();
    const foreign = msgs.find((m) => m.refusal);
    if (foreign) throw new ForeignLogBatch(foreign.seq, foreign.refusal!);
    const builder = new LogWriteBuilder(this.options.name);
    for (const m of msgs) builder.addDecoded(m.seq, m.batch);
    if (builder.malformed.length) throw new MalformedLogBatch(builder.malformed[0]);
    const stored = await this.store.write(builder.build());
    for (const s of stored) {
      const notice: LogStoredNotice = { attempt: s.attempt, lastSeq: s.lastSeq, eof: s.eof };
      try {
        this.nc.publish(Subjects.logStored(s.jobId, s.task), JSON.stringify(notice));
      } catch {
        // Best effort: followers also poll.
      }
    }
    this.options.onStored?.({ messages: msgs.length, lines: builder.lines, ms: performance.now() - started, streamSeq: msgs.at(-1)!.seq });
  }

  /** Why the sender of `batch` may not write it, or undefined (`senderRefusal`, then the task's placements). */
  private async refusal(subject: string, batch: LogBatch): Promise<string | undefined> {
    const why = senderRefusal(subject, batch);
    if (why || !this.options.placements) return why;
    const { jobId, task, nodeId } = senderOf(subject)!;
    // A read that fails (NATS away) throws: the group is retried like any store failure, never refused for it.
    if (await this.options.placements.placed(jobId, task, nodeId)) return undefined;
    return `node ${nodeId} was never given ${task} of job ${jobId}`;
  }

  private say(msg: string): void {
    (this.options.log ?? ((m) => console.error(`[log-router] ${m}`)))(msg);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
