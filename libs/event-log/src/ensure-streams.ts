import { Streams, Subjects } from '@trainyard/contracts';
import {
  DiscardPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { toEventLogError } from './errors';

/** Options of {@link ensureStreams}. */
export interface EnsureStreamsOptions {
  /** Replicas of both streams: 1 on a single server, 3 in production (ARCHITECTURE). Default 1. */
  replicas?: number;
  /** How long task output is kept. Default 30 days. */
  logMaxAgeMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The two stream configurations, as plain data (used by `ensureStreams` and shown by `yard`). */
export function streamConfigs(opts: EnsureStreamsOptions = {}): { events: StreamConfig; logs: StreamConfig } {
  const replicas = opts.replicas ?? 1;
  const base = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    max_msgs: -1,
    max_bytes: -1,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    max_consumers: -1,
  };
  return {
    events: {
      ...base,
      name: Streams.events,
      subjects: [Subjects.eventsAll],
      // The log is the source of truth: nothing ages out, nothing is deleted or purged.
      max_age: 0,
      // Window in which a retried command (same Nats-Msg-Id) is recognised and stored once.
      duplicate_window: nanos(2 * 60 * 1000),
      deny_delete: true,
      deny_purge: true,
    } as StreamConfig,
    logs: {
      ...base,
      name: Streams.logs,
      subjects: [Subjects.logsAll],
      max_age: nanos(opts.logMaxAgeMs ?? 30 * DAY_MS),
      duplicate_window: nanos(2 * 60 * 1000),
    } as StreamConfig,
  };
}

/**
 * Creates `TY_EVENTS` and `TY_LOGS`, or brings an existing stream's mutable settings (subjects,
 * limits, replicas, duplicate window) in line with {@link streamConfigs}. Safe to call concurrently.
 *
 * It creates whatever is missing, so it is for servers the caller owns outright (tests, a fresh
 * server). Services start with `openStreams` (a stream's owner: creates only on a fresh cluster) or
 * `awaitStreams` (everyone else: never creates), so a lost stream is reported, not silently replaced.
 */
export async function ensureStreams(
  nc: NatsConnection | JetStreamManager,
  opts: EnsureStreamsOptions = {},
): Promise<{ events: StreamInfo; logs: StreamInfo }> {
  const jsm = 'streams' in nc ? nc : await jetstreamManager(nc);
  const cfg = streamConfigs(opts);
  try {
    return { events: await ensureStream(jsm, cfg.events), logs: await ensureStream(jsm, cfg.logs) };
  } catch (err) {
    throw toEventLogError(err, 'ensure streams');
  }
}

/** Creates one stream, or brings its mutable settings in line with `want`. */
export async function ensureStream(jsm: JetStreamManager, want: StreamConfig): Promise<StreamInfo> {
  const have = await jsm.streams.info(want.name).catch((err: unknown) => {
    if (err instanceof Error && /stream not found/i.test(err.message)) return null;
    throw err;
  });
  if (!have) {
    try {
      return await jsm.streams.add(want);
    } catch (err) {
      // Another service created it between our info and add: fall through to the update.
      if (!(err instanceof Error && /already in use/i.test(err.message))) throw err;
    }
  }
  const current = have ?? (await jsm.streams.info(want.name));
  if (!differs(current.config, want)) return current;
  // Storage, retention and the deny flags cannot change after creation; the rest can.
  const { name: _name, storage: _storage, retention: _retention, deny_delete: _dd, deny_purge: _dp, ...mutable } = want;
  return jsm.streams.update(want.name, mutable);
}

const COMPARED = ['subjects', 'max_age', 'duplicate_window', 'num_replicas', 'max_msgs', 'max_bytes', 'discard'] as const;

function differs(have: StreamConfig, want: StreamConfig): boolean {
  return COMPARED.some((k) => JSON.stringify(have[k]) !== JSON.stringify(want[k]));
}
