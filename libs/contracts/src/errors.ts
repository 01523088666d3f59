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
  /** The caller lacks a permission (e.g. `job:setHighPriority`). */
  Forbidden: 'FORBIDDEN',
  /** A dependency (NATS, the database) did not answer in time. */
  Unavailable: 'UNAVAILABLE',
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
