/**
 * Stable error codes shared by the bus, the HTTP API and the CLI. A client branches on `code`,
 * never on `message`.
 */
export const ErrorCode = {
  /** The request body or command failed validation; `details` lists every offending field. */
  ValidationFailed: 'VALIDATION_FAILED',
  /** No job, node or task with that id. */
  NotFound: 'NOT_FOUND',
  /** The command is not allowed in the aggregate's current state (e.g. stop a completed job). */
  IllegalState: 'ILLEGAL_STATE',
  /** Another writer committed first and retries ran out. */
  Conflict: 'CONFLICT',
  /** The caller lacks a permission (e.g. `job:setHighPriority`); the message names it. */
  Forbidden: 'FORBIDDEN',
  /** No principal: no credentials, or ones that are unknown, expired, revoked or badly signed (HTTP 401). */
  Unauthenticated: 'UNAUTHENTICATED',
  /** A dependency (NATS, the database) did not answer in time. */
  Unavailable: 'UNAVAILABLE',
  /**
   * The event stream (`TY_EVENTS`) or the log stream (`TY_LOGS`) is gone although it existed: the
   * NATS store was lost or replaced. An outage an operator must repair; nothing recreates it.
   */
  StreamMissing: 'STREAM_MISSING',
  /** The request body is larger than the API accepts. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The request body's content type is not one the endpoint reads (JSON). */
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Per-field codes inside a `VALIDATION_FAILED` error. */
export const FieldCode = {
  Required: 'REQUIRED',
  InvalidType: 'INVALID_TYPE',
  InvalidFormat: 'INVALID_FORMAT',
  OutOfRange: 'OUT_OF_RANGE',
  TooLong: 'TOO_LONG',
  TooMany: 'TOO_MANY',
  Duplicate: 'DUPLICATE',
  Forbidden: 'FORBIDDEN_VALUE',
  NotMultiple: 'NOT_A_MULTIPLE',
  Unknown: 'UNKNOWN_FIELD',
  Conflict: 'CONFLICTING_FIELDS',
  /** A string breaks the text rule (`storable-text.ts`): it holds U+0000 or an unpaired surrogate. */
  InvalidText: 'INVALID_TEXT',
  /** Objects and arrays nested deeper than any contract document is. */
  TooDeep: 'TOO_DEEP',
  /** A key that could pollute an object prototype (`__proto__`, `constructor`, `prototype`). */
  ForbiddenKey: 'FORBIDDEN_KEY',
} as const;
export type FieldCode = (typeof FieldCode)[keyof typeof FieldCode];

export interface FieldError {
  /** Dotted path into the submitted document, e.g. `spec.priority`, `algorithm.parameters[3].name`. */
  path: string;
  code: FieldCode;
  message: string;
  /** The rule of ch04-06 §13 it enforces, e.g. `V1`. */
  rule?: string;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: FieldError[];
}

/** An expected failure carried as a value across the bus and HTTP (tier 1 of the error split). */
export class TrainyardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TrainyardError';
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details?.length ? { details: this.details } : {}) };
  }

  static fromBody(body: ErrorBody): TrainyardError {
    return new TrainyardError(body.code, body.message, body.details);
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/**
 * Any failure as a reply body: a `TrainyardError` as it is; an infrastructure error that carries a
 * known code (the event log's `UNAVAILABLE`, `STREAM_MISSING`, `CONFLICT`) with that code; anything
 * else `INTERNAL`. One mapping for every command intake and the HTTP filter.
 */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof TrainyardError) return err.toBody();
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : 'internal error';
  if (typeof code === 'string' && KNOWN_CODES.has(code)) return { code: code as ErrorCode, message };
  return { code: ErrorCode.Internal, message };
}
