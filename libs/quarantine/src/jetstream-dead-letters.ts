import {
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { Streams, Subjects } from '@trainyard/contracts';
import { storeReplicas } from '@trainyard/event-log';
import type { DeadLetter, DeadLetterRecord, DeadLetterSink, QuarantineSummary } from './dead-letter';

/** The dead-letter stream: kept a year, at most 100,000 letters (the oldest go first), deletable (dismiss). */
export function deadLetterStreamConfig(replicas = 1): StreamConfig {
  return {
    name: Streams.deadLetters,
    subjects: [Subjects.deadLettersAll],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    max_age: nanos(365 * 24 * 3_600_000),
    max_msgs: 100_000,
    max_bytes: -1,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    max_consumers: -1,
    duplicate_window: nanos(2 * 60 * 1000),
  } as StreamConfig;
}

/** The JSON body of one dead letter on `ty.dead.<consumer>`. */
interface Body extends Omit<DeadLetter, 'payload'> {
  v: 1;
  /** Base64 of the payload when it was small enough to keep. */
  payload?: string;
  payloadBytes: number;
}

export interface JetStreamDeadLettersOptions {
  /** Largest payload kept in the letter; a larger one is referred to by stream and sequence. Default 256 KiB. */
  maxPayloadBytes?: number;
  /** Replicas of the stream when recording creates it. Default `TY_STREAM_REPLICAS` (1), through the server version gate. */
  replicas?: number;
}

/**
 * Dead letters as messages of the `TY_DEAD_LETTERS` stream, for consumers without a database (node
 * agents, Nest transports). Recording creates the stream when it is missing; reading never does (an
 * absent stream holds no letters). A letter's id is `js:<stream sequence>`; dismissing deletes it.
 *
 * @example
 * ```ts
 * const sink = new JetStreamDeadLetters(nc);
 * const quarantine = new Quarantine({ consumer: `node-agent.${nodeId}`, sink });
 * await sink.summary(); // { count: 1, latest: { id: 'js:1', consumer: 'node-agent.n1', … } }
 * ```
 */
export class JetStreamDeadLetters implements DeadLetterSink {
  readonly #js: JetStreamClient;
  readonly #maxPayload: number;
  readonly #replicas: number | undefined;
  #jsm: Promise<JetStreamManager> | undefined;
  #ensured: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    opts: JetStreamDeadLettersOptions = {},
  ) {
    this.#js = jetstream(nc);
    this.#maxPayload = opts.maxPayloadBytes ?? 256 * 1024;
    this.#replicas = opts.replicas;
  }

  async record(letter: DeadLetter): Promise<void> {
    await this.#ensureStream();
    const { payload, ...rest } = letter;
    const keep = payload && payload.byteLength <= this.#maxPayload;
    const body: Body = { v: 1, ...rest, payloadBytes: keep ? payload.byteLength : 0, ...(keep ? { payload: Buffer.from(payload).toString('base64') } : {}) };
    // One letter per consumer and message, also when a retried consumer records it again.
    await this.#js.publish(Subjects.deadLetter(letter.consumer), JSON.stringify(body), { msgID: `${letter.consumer}@${letter.stream}:${letter.seq}` });
  }

  /** The newest letters first (at most `limit`). */
  async list(limit = 100): Promise<DeadLetterRecord[]> {
    const jsm = await this.#manager();
    const info = await jsm.streams.info(Streams.deadLetters).catch(notFoundAs(undefined));
    if (!info || info.state.messages === 0) return [];
    const out: DeadLetterRecord[] = [];
    // Letters are few (each is a message someone gave up on): one get per letter, newest first,
    // stepping over dismissed (deleted) sequences.
    for (let seq = info.state.last_seq; seq >= info.state.first_seq && out.length < limit; seq--) {
      const m = await jsm.streams.getMessage(Streams.deadLetters, { seq }).catch(notFoundAs(null));
      if (m) out.push(toRecord(m.seq, m.json<Body>()));
    }
    return out;
  }

  /** How many letters the stream holds, and the newest. */
  async summary(): Promise<QuarantineSummary> {
    const jsm = await this.#manager();
    const info = await jsm.streams.info(Streams.deadLetters).catch(notFoundAs(undefined));
    if (!info || info.state.messages === 0) return { count: 0, latest: null };
    const [latest] = await this.list(1);
    return { count: info.state.messages, latest: latest ?? null };
  }

  /** The payload kept with letter `seq`, if any. */
  async payload(seq: number): Promise<Uint8Array | undefined> {
    const m = await (await this.#manager()).streams.getMessage(Streams.deadLetters, { seq }).catch(notFoundAs(null));
    const body = m?.json<Body>();
    return body?.payload ? Buffer.from(body.payload, 'base64') : undefined;
  }

  /** Deletes letter `seq` (an operator accepted the loss or fixed it by hand). False when there is none. */
  async dismiss(seq: number): Promise<boolean> {
    return (await this.#manager()).streams.deleteMessage(Streams.deadLetters, seq, false).catch(notFoundAs(false));
  }

  #manager(): Promise<JetStreamManager> {
    this.#jsm ??= jetstreamManager(this.nc, { checkAPI: false });
    return this.#jsm;
  }

  #ensureStream(): Promise<void> {
    this.#ensured ??= (async () => {
      const jsm = await this.#manager();
      const exists = await jsm.streams.info(Streams.deadLetters).then(() => true, notFoundAs(false));
      if (!exists) {
        await jsm.streams.add(deadLetterStreamConfig(this.#replicas ?? storeReplicas(this.nc, Streams.deadLetters))).catch((err: unknown) => {
          if (!(err instanceof Error && /already in use/i.test(err.message))) throw err;
        });
      }
    })().catch((err) => {
      this.#ensured = undefined;
      throw err;
    });
    return this.#ensured;
  }
}

function toRecord(seq: number, b: Body): DeadLetterRecord {
  return {
    id: `js:${seq}`,
    consumer: b.consumer,
    stream: b.stream,
    seq: b.seq,
    subject: b.subject,
    code: b.code,
    message: b.message,
    attempts: b.attempts,
    firstFailedAt: b.firstFailedAt,
    quarantinedAt: b.quarantinedAt,
    state: 'quarantined',
    resolvedAt: null,
    payloadBytes: b.payloadBytes ?? 0,
    retryable: false,
  };
}

/** A rejection handler that turns JetStream's "not found" (stream or message) into `value`. */
function notFoundAs<T>(value: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof Error && /not found|no message found/i.test(err.message)) return value;
    throw err;
  };
}
