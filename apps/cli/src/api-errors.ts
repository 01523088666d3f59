import type { ErrorBody, FieldError } from '@trainyard/contracts';

/** The API answered with an error status. `code` is the API's stable code, or `HTTP_<status>` when the body had none. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  static fromBody(status: number, body: ErrorBody): ApiError {
    return new ApiError(status, body.code, body.message, body.details ?? []);
  }
}

export type UnreachableReason = 'refused' | 'not-found' | 'timeout' | 'network' | 'untrusted';

/** No HTTP answer at all: nothing listening, unknown host, no reply in time. */
export class ApiUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: UnreachableReason,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot reach ${url}: ${detail}`, options);
    this.name = 'ApiUnreachableError';
  }
}

/** The API answered 2xx with something that is not the JSON the contract promises. */
export class ApiProtocolError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiProtocolError';
  }
}

const SYSCALL_REASONS: Record<string, UnreachableReason> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'not-found',
  EAI_AGAIN: 'not-found',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  // An https API whose certificate this process cannot verify (no CA given, the wrong one, a name mismatch).
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted',
  CERT_HAS_EXPIRED: 'untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'untrusted',
};

/**
 * Classifies a rejected `fetch`. Undici wraps the socket error in `cause`, and when a host name has several
 * addresses (localhost → ::1 and 127.0.0.1) the cause is an AggregateError of one error per address.
 */
export function classifyFetchFailure(url: string, err: unknown): ApiUnreachableError {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return new ApiUnreachableError(url, 'timeout', 'no answer in time', { cause: err });
  }
  const codes = socketCodes(err);
  for (const code of codes) {
    const reason = SYSCALL_REASONS[code];
    if (reason) return new ApiUnreachableError(url, reason, describeCode(code), { cause: err });
  }
  const detail = codes[0] ?? (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));
  return new ApiUnreachableError(url, 'network', detail, { cause: err });
}

function socketCodes(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 4) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => socketCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...socketCodes(e.cause, depth + 1)];
}

function describeCode(code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    default:
      return SYSCALL_REASONS[code] === 'untrusted' ? `certificate not trusted: ${code}` : 'no answer in time';
  }
}
