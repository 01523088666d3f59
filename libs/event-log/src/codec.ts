import type { CommitMeta, DomainEvent, StoredCommit } from '@trainyard/contracts';
import { MalformedCommit } from './errors';

/**
 * The body of one commit message on `ty.ev.<kind>.<id>`: JSON `{ events, meta }`. The subject and
 * the stream sequence are not in the body; the server supplies them on read.
 *
 * @example
 * ```json
 * {"events":[{"type":"JobCreated","version":1,"time":"2026-01-01T00:00:00Z","data":{…}}],
 *  "meta":{"commandId":"c-1","correlationId":"c-1","actor":"user:ana"}}
 * ```
 */
export interface CommitBody {
  events: DomainEvent[];
  meta: CommitMeta;
}

/** An event as stored, possibly in an older schema version than the code knows. */
export interface StoredEvent {
  type: string;
  version: number;
  time: string;
  data: unknown;
}

/**
 * Brings a stored event to the current schema of its type. Old versions are upcast on every read,
 * never rewritten in the log (decision 1).
 *
 * Identity today: every event is at version 1. When an event's `data` changes shape, bump the
 * version in `event()` (contracts) and add a step here, e.g.
 * `if (e.type === 'JobQueued' && e.version === 1) e = { ...e, version: 2, data: { ...e.data, queue: 'default' } }`.
 * Steps chain (v1 → v2 → v3), so each change only knows its predecessor.
 */
export function upcast(e: StoredEvent): DomainEvent {
  return e as DomainEvent;
}

/**
 * `Nats-Msg-Id` of a commit. JetStream de-duplicates across the whole stream, so a bare command id
 * would silently drop the second commit of a command that writes two aggregates (the server
 * answers "duplicate" with the first aggregate's sequence). Scoping the id to the subject keeps
 * "a retried command is stored once" without that trap.
 */
export function commitMsgId(subject: string, commandId: string): string {
  return `${commandId}@${subject}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommit(events: readonly DomainEvent[], meta: CommitMeta): Uint8Array {
  const body: CommitBody = { events: [...events], meta };
  return encoder.encode(JSON.stringify(body));
}

/** Decodes and upcasts one stored message; throws {@link MalformedCommit} for anything else. */
export function decodeCommit(subject: string, seq: number, data: Uint8Array): StoredCommit {
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new MalformedCommit(subject, seq, 'not JSON', { cause: err }, data);
  }
  if (!isObject(body) || !Array.isArray(body.events) || !isObject(body.meta)) {
    throw new MalformedCommit(subject, seq, 'expected { events: [...], meta: {...} }', undefined, data);
  }
  const events = body.events.map((e, i) => {
    if (!isObject(e) || typeof e.type !== 'string' || typeof e.version !== 'number') {
      throw new MalformedCommit(subject, seq, `event ${i} has no type or version`, undefined, data);
    }
    return upcast(e as unknown as StoredEvent);
  });
  return { subject, seq, events, meta: body.meta as unknown as CommitMeta };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
