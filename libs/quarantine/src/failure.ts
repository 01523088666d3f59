/**
 * Why a message could not be handled, as a consumer must decide on it: retry it (and keep the
 * messages after it waiting), or give up on it and move on.
 *
 * - `transient`: the world was not ready — the database or NATS was unreachable, a lock or a
 *   serialization conflict, the server shutting down. The same message will succeed later, so it is
 *   retried for as long as it takes and never quarantined.
 * - `deterministic`: the message itself cannot be applied — a PostgreSQL data error (class 22), a
 *   constraint violation (class 23), a body that does not decode, an event type or version this build
 *   cannot upcast. Retrying the same input fails the same way, so after a few tries it is quarantined.
 * - `unknown`: nothing says which. Each consumer decides (its {@link RetryPolicy.unknownIs}).
 */
export type FailureKind = 'transient' | 'deterministic' | 'unknown';

export interface Failure {
  kind: FailureKind;
  /**
   * True when retrying cannot change the outcome at all (the bytes or the code would have to change):
   * the consumer quarantines at the first failure instead of spending its retries.
   */
  final: boolean;
  /** Stable code: the SQLSTATE (`22P05`), the Node system code (`ECONNREFUSED`) or the error's class name (`MalformedCommit`). */
  code: string;
  message: string;
}

/**
 * SQLSTATE classes that depend on the data written, not on the server's condition: 21 cardinality
 * (an upsert touching a row twice), 22 data exception (`22P05` NUL in jsonb, `22021` NUL in text,
 * `22001` too long…), 23 integrity constraint, 44 check option, 54 program limit (an index row too
 * large). Everything else — 08 connection, 40 rollback, 53 resources, 55 lock, 57 operator
 * intervention, 58 system, 42 a missing table or column (a schema not migrated: every message would
 * fail the same way, so it is an outage, not a poison message), XX internal — is transient.
 */
const DATA_DEPENDENT_SQLSTATE_CLASSES: ReadonlySet<string> = new Set(['21', '22', '23', '44', '54']);

const SQLSTATE = /^[0-9A-Z]{5}$/;
const SYSTEM_CODE = /^E[A-Z0-9_]+$/;
/** Errors without a SQLSTATE that pg and pg-pool raise when the connection, not the statement, failed. */
const CONNECTION_MESSAGES = /connection (terminated|ended|refused|closed|reset)|timeout exceeded when trying to connect|client has encountered a connection error|cannot use a pool after calling end|not queryable|socket hang up/i;

type ErrorLike = { name?: unknown; code?: unknown; message?: unknown; retryable?: unknown; poison?: unknown; cause?: unknown };

/**
 * Classifies any thrown value, looking through `cause` chains. Errors of this project opt in with two
 * properties: `poison: true` says the input can never be applied (deterministic and final:
 * `MalformedCommit`, `UnknownEventType`, `UnprojectableCommit`), `retryable: true` says try again later
 * (`EventLogUnavailable`, `ProjectionTimeout`). Database errors go by SQLSTATE class, Node system
 * errors (`ECONNREFUSED`…) and pg's connection errors are transient.
 *
 * @example
 * ```ts
 * classifyFailure(Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' }))
 * // { kind: 'deterministic', final: false, code: '22P05', message: 'unsupported Unicode escape sequence' }
 * classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))
 * // { kind: 'transient', final: false, code: 'ECONNREFUSED', … }
 * ```
 */
export function classifyFailure(err: unknown): Failure {
  const top = describe(err);
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as ErrorLike).cause, depth++) {
    const x = e as ErrorLike;
    const code = typeof x.code === 'string' ? x.code : undefined;
    if (x.poison === true) return { kind: 'deterministic', final: true, ...describe(e) };
    if (code && SQLSTATE.test(code)) {
      const kind = DATA_DEPENDENT_SQLSTATE_CLASSES.has(code.slice(0, 2)) ? 'deterministic' : 'transient';
      return { kind, final: false, code, message: describe(e).message };
    }
    if (code && SYSTEM_CODE.test(code)) return { kind: 'transient', final: false, code, message: describe(e).message };
    if (x.retryable === true) return { kind: 'transient', final: false, ...top };
    if (typeof x.message === 'string' && CONNECTION_MESSAGES.test(x.message)) return { kind: 'transient', final: false, ...top };
  }
  return { kind: 'unknown', final: false, ...top };
}

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof Error || (err && typeof err === 'object')) {
    const x = err as ErrorLike;
    const name = typeof x.name === 'string' && x.name ? x.name : 'Error';
    return { code: name, message: typeof x.message === 'string' ? x.message : String(err) };
  }
  return { code: 'Error', message: String(err) };
}
