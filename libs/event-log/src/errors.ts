import { ErrorCode } from '@trainyard/contracts';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  RequestError,
  TimeoutError,
} from '@nats-io/transport-node';

/**
 * Base of the infrastructure failures this library throws (tier 2 of the error split, STYLE 7).
 * `code` is a contracts {@link ErrorCode}, so the services' exception filter can pass it through.
 */
export abstract class EventLogError extends Error {
  abstract readonly code: ErrorCode;
  /** True when the same call may succeed later (after a re-read, a reconnect…). */
  abstract readonly retryable: boolean;
}

/**
 * Another writer committed to the aggregate after the caller read it: the subject's last sequence
 * is no longer `expected`. The only error `handleCommand` retries (re-read, re-decide).
 * Raised from JetStream's `StreamWrongLastSequence` (err_code 10071, "wrong last sequence: N").
 */
export class StreamVersionConflict extends EventLogError {
  override readonly name = 'StreamVersionConflict';
  readonly code = ErrorCode.Conflict;
  readonly retryable = true;

  constructor(
    /** The aggregate subject the append targeted. */
    readonly subject: string,
    /** The last subject sequence the writer decided on (0 = the aggregate must not exist). */
    readonly expected: number,
    /** The subject's actual last sequence, when the server said (it does in 2.9: "wrong last sequence: N"). */
    readonly actual?: number,
    options?: ErrorOptions,
  ) {
    super(
      `${subject} moved on: expected last sequence ${expected}` + (actual === undefined ? '' : `, found ${actual}`),
      options,
    );
  }
}

/** NATS or JetStream did not answer (disconnected, timed out, restarting, stream missing). */
export class EventLogUnavailable extends EventLogError {
  override readonly name: string = 'EventLogUnavailable';
  readonly code: ErrorCode = ErrorCode.Unavailable;

  constructor(
    message: string,
    options?: ErrorOptions,
    readonly retryable = true,
  ) {
    super(message, options);
  }
}

/**
 * A stream this library uses (`TY_EVENTS`, `TY_LOGS`) does not exist. Streams are created once, at
 * the first start of a fresh cluster (`openStreams`); afterwards a missing stream means the NATS store
 * was lost or replaced: an outage an operator must repair, never something to recreate (an empty
 * stream would hide the loss). Not retryable: nothing changes until someone restores the store.
 */
export class StreamMissing extends EventLogUnavailable {
  override readonly name = 'StreamMissing';
  override readonly code = ErrorCode.StreamMissing;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options, false);
  }
}

/** Why a stream is missing, for every message that says so. */
export const STREAM_MISSING_HINT =
  'the NATS store was lost or replaced; nothing recreates it (that would hide the loss): restore the store (docs/architecture.md, "Streams are created once")';

/**
 * A message on an event subject that is not a commit this library wrote. Retrying cannot fix it:
 * `poison` says so to libs/quarantine, which keeps it as a dead letter (with `payload`, its bytes).
 */
export class MalformedCommit extends EventLogError {
  override readonly name = 'MalformedCommit';
  readonly code = ErrorCode.Internal;
  readonly retryable = false;
  readonly poison = true;

  constructor(
    readonly subject: string,
    readonly seq: number,
    reason: string,
    options?: ErrorOptions,
    /** The message's bytes as stored. */
    readonly payload?: Uint8Array,
  ) {
    super(`commit ${seq} on ${subject} is malformed: ${reason}`, options);
  }
}

/** The first connection to NATS failed; the message says how to start a local server. */
export class NatsUnreachable extends EventLogError {
  override readonly name = 'NatsUnreachable';
  readonly code = ErrorCode.Unavailable;
  readonly retryable = true;

  constructor(
    readonly url: string,
    options?: ErrorOptions,
  ) {
    super(
      `cannot reach NATS at ${url}. Start a local JetStream server with:\n` +
        '  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- ' +
        '-a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log\n' +
        'or point TY_NATS_URL at a running one.',
      options,
    );
  }
}

const WRONG_LAST_SEQUENCE: ReadonlySet<number> = new Set([
  JetStreamApiCodes.StreamWrongLastSequence,
  JetStreamApiCodes.StreamWrongLastSequenceUnknown,
]);

/**
 * Maps a nats.js failure to this library's errors; anything unrecognised is returned as is.
 * `what` names the operation for the message, e.g. `append to ty.ev.job.j1`.
 */
export function toEventLogError(err: unknown, what: string, append?: { subject: string; expected: number }): unknown {
  if (err instanceof EventLogError) return err;
  if (err instanceof JetStreamApiError) {
    if (append && (WRONG_LAST_SEQUENCE.has(err.code) || /wrong last sequence/i.test(err.message))) {
      const actual = /wrong last sequence: (\d+)/i.exec(err.message)?.[1];
      return new StreamVersionConflict(append.subject, append.expected, actual === undefined ? undefined : Number(actual), {
        cause: err,
      });
    }
    if (err.code === JetStreamApiCodes.StreamNotFound) {
      return new StreamMissing(`${what}: the stream is missing: ${STREAM_MISSING_HINT}`, { cause: err });
    }
    // 503: the stream or JetStream is recovering, typically right after a server restart.
    if (err.status === 503) return new EventLogUnavailable(`${what}: ${err.message}`, { cause: err });
    return err;
  }
  // nats.js exports this class only from its internal module, hence the match by name.
  if (err instanceof Error && err.name === 'JetStreamNotEnabled') {
    // A publish nobody stores also lands here ("no responders"): JetStream is down or restarting,
    // or no stream captures the subject.
    return new EventLogUnavailable(`${what}: JetStream did not answer (is it enabled, and were the streams ensured?)`, {
      cause: err,
    });
  }
  if (
    err instanceof TimeoutError ||
    err instanceof RequestError ||
    err instanceof ClosedConnectionError ||
    err instanceof DrainingConnectionError ||
    err instanceof ConnectionError
  ) {
    return new EventLogUnavailable(`${what}: ${err.message}`, { cause: err });
  }
  return err;
}
