import { Streams } from '@trainyard/contracts';
import { jetstreamManager, type JetStreamManager, type StreamInfo } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ensureStream, streamConfigs, type EnsureStreamsOptions } from './ensure-streams';
import { STREAM_MISSING_HINT, StreamMissing, toEventLogError } from './errors';
import { checkReplication, type ReplicationCheckOptions } from './replication-check';

/**
 * What to do with a stream at start-up, from what the caller's own store says it applied from it:
 * - missing, nothing applied: a fresh cluster → `create` it;
 * - missing, something applied: the stream existed and is gone → `refuse`;
 * - present but ending before what was applied: it was replaced (an empty or older store) → `refuse`;
 * - otherwise `use` it.
 *
 * @example
 * ```ts
 * streamVerdict(undefined, 0)            // { action: 'create' }
 * streamVerdict(undefined, 1234)         // { action: 'refuse', reason: 'missing, but 1234 …' }
 * streamVerdict({ lastSeq: 10 }, 1234)   // { action: 'refuse', reason: 'holds 10 messages …' }
 * ```
 */
export function streamVerdict(found: { lastSeq: number } | undefined, applied: number): { action: 'create' | 'use' } | { action: 'refuse'; reason: string } {
  if (!found) return applied === 0 ? { action: 'create' } : { action: 'refuse', reason: `missing, but ${applied} of its messages were applied here` };
  if (found.lastSeq < applied) return { action: 'refuse', reason: `ends at sequence ${found.lastSeq}, before the ${applied} applied here: it was replaced` };
  return { action: 'use' };
}

/** Per stream, the last sequence the caller's store applied from it (its checkpoint), 0 when none. */
export interface OwnedStreams {
  /** The read models' projection checkpoint: the API (or the all-in-one) owns TY_EVENTS. */
  events?: number;
  /** The log store's checkpoint: the log router owns TY_LOGS. */
  logs?: number;
}

/**
 * Start-up of a stream's owner: the streams it owns are created on a fresh cluster, refused
 * (`StreamMissing`) when {@link streamVerdict} finds them lost or replaced, and otherwise brought in
 * line with {@link streamConfigs}. Streams it does not own are left alone. Neither the wanted nor an
 * existing replica count above 1 passes on a server older than 2.9.21 (`UnsafeReplication`,
 * replication-gate.ts), unless `opts.allowOld` (default `TY_ALLOW_REPLICAS_ON_OLD_NATS=1`).
 */
export async function openStreams(nc: NatsConnection, own: OwnedStreams, opts: EnsureStreamsOptions & ReplicationCheckOptions = {}): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const [key, applied] of Object.entries(own) as ['events' | 'logs', number | undefined][]) {
    if (applied === undefined) continue;
    const name = Streams[key];
    const info = await streamInfo(jsm, name);
    const verdict = streamVerdict(info && { lastSeq: info.state.last_seq }, applied);
    if (verdict.action === 'refuse') throw new StreamMissing(`stream ${name} ${verdict.reason}: ${STREAM_MISSING_HINT}`);
    checkReplication(nc, name, Math.max(opts.replicas ?? 1, info?.config.num_replicas ?? 1), opts);
  }
  const configs = streamConfigs(opts);
  for (const key of ['events', 'logs'] as const) {
    if (own[key] === undefined) continue;
    try {
      await ensureStream(jsm, configs[key]);
    } catch (err) {
      throw toEventLogError(err, `open stream ${configs[key].name}`);
    }
  }
}

/** Options of {@link awaitStreams}. */
export interface AwaitStreamsOptions {
  /** Which streams to wait for. Default: the event stream only. */
  streams?: ('events' | 'logs')[];
  /** Poll period. Default 1 000 ms. */
  pollMs?: number;
  /** Told which streams are still missing, at the first poll and then every `sayEveryMs` (default 10 s). */
  onWait?: (missing: string[]) => void;
  sayEveryMs?: number;
}

/**
 * Start-up of every other service: waits until the streams exist, and never creates one (only an
 * owner may decide that a missing stream is a fresh cluster and not a loss). A found stream with more
 * than one replica on a server older than 2.9.21 is refused (`UnsafeReplication`), as in {@link openStreams}.
 */
export async function awaitStreams(nc: NatsConnection, opts: AwaitStreamsOptions & ReplicationCheckOptions = {}): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const names = (opts.streams ?? ['events']).map((k) => Streams[k]);
  const say = opts.onWait ?? ((m) => console.error(`waiting for stream(s) ${m.join(', ')}: created by the api (TY_EVENTS) and the log router (TY_LOGS) on a fresh cluster; if they existed before, ${STREAM_MISSING_HINT}`));
  let lastSaid = -Infinity;
  for (;;) {
    const missing: string[] = [];
    for (const name of names) {
      const info = await streamInfo(jsm, name);
      if (!info) missing.push(name);
      else checkReplication(nc, name, info.config.num_replicas ?? 1, opts);
    }
    if (missing.length === 0) return;
    if (Date.now() - lastSaid >= (opts.sayEveryMs ?? 10_000)) {
      lastSaid = Date.now();
      say(missing);
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1_000));
  }
}

/** The stream's info, or undefined when JetStream says it does not exist. */
export async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (err) {
    if (toEventLogError(err, `info ${name}`) instanceof StreamMissing) return undefined;
    throw toEventLogError(err, `info ${name}`);
  }
}
