import { Logger } from '@nestjs/common';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, Streams, TrainyardError } from '@trainyard/contracts';
import { STREAM_MISSING_HINT, StreamMissing, toEventLogError } from '@trainyard/event-log';

/** What the last look at a stream found. `unknown`: NATS did not answer (an outage of its own kind). */
export type StreamState = { status: 'ok' | 'unknown' } | { status: 'missing'; reason: string };

/**
 * Whether the streams the API serves from still exist, looked at while it runs (not only at start):
 * a stream gone is an outage that every request must be told about (503 `STREAM_MISSING`), never a
 * missing job. `TY_EVENTS` also counts as gone when it ends before what the read models applied (it
 * was replaced by an empty or older one). Looks at most once per `ttlMs` per stream, in the
 * background once it has a first answer, so requests never wait for it.
 */
export class StreamHealth {
  private readonly log = new Logger('streams');
  private readonly states = new Map<string, { state: StreamState; at: number; refreshing?: Promise<void> }>();
  private jsm?: Promise<JetStreamManager>;

  constructor(
    private readonly nc: NatsConnection,
    /** The last event-stream sequence the read models applied. */
    private readonly applied: () => number,
    private readonly ttlMs = 1_000,
  ) {}

  /** Throws `STREAM_MISSING` when the stream is known to be gone. */
  async assertPresent(stream: keyof typeof Streams): Promise<void> {
    const state = await this.state(Streams[stream]);
    if (state.status === 'missing') throw new TrainyardError(ErrorCode.StreamMissing, `stream ${Streams[stream]} ${state.reason}: ${STREAM_MISSING_HINT}`);
  }

  private async state(name: string): Promise<StreamState> {
    const entry = this.states.get(name);
    if (!entry) {
      await this.refresh(name);
      return this.states.get(name)!.state;
    }
    if (Date.now() - entry.at >= this.ttlMs) entry.refreshing ??= this.refresh(name).finally(() => (entry.refreshing = undefined));
    return entry.state;
  }

  private async refresh(name: string): Promise<void> {
    const state = await this.look(name);
    const before = this.states.get(name)?.state;
    if (state.status === 'missing' && before?.status !== 'missing') this.log.error(`stream ${name} ${state.reason}: ${STREAM_MISSING_HINT}; answering 503 STREAM_MISSING`);
    if (state.status === 'ok' && before?.status === 'missing') this.log.warn(`stream ${name} is back`);
    const entry = this.states.get(name);
    if (entry) Object.assign(entry, { state, at: Date.now() });
    else this.states.set(name, { state, at: Date.now() });
  }

  private async look(name: string): Promise<StreamState> {
    try {
      this.jsm ??= jetstreamManager(this.nc, { timeout: this.ttlMs, checkAPI: false });
      const info = await (await this.jsm).streams.info(name);
      const applied = name === Streams.events ? this.applied() : 0;
      if (info.state.last_seq < applied) return { status: 'missing', reason: `ends at sequence ${info.state.last_seq}, before the ${applied} the read models applied: it was replaced` };
      return { status: 'ok' };
    } catch (err) {
      return toEventLogError(err, `info ${name}`) instanceof StreamMissing ? { status: 'missing', reason: 'is missing' } : { status: 'unknown' };
    }
  }
}
