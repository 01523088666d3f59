import { FieldCode, type FieldError } from './errors';
import { describeUnstorable, unstorableReason, utf8Length } from './storable-text';
import { FieldErrors, indexPath, keyPath } from './validate-fields';

/**
 * Bounds every contract document obeys whatever its schema:
 * - `maxDepth`: how deep objects and arrays nest (a job spec needs 6 levels, a command envelope 7).
 *   Deeper input is refused before anything recurses over it (`JSON.stringify` overflows the stack
 *   near 10 000 levels, which a 20 KB body reaches).
 * - `maxKeyBytes`: the longest key of any object.
 * - `bodyBytes`: the largest HTTP request body. A submitted spec travels in one NATS message to the
 *   scheduler and is stored in one commit; NATS refuses messages over its `max_payload` (1 MiB by
 *   default), so half of that leaves room for the envelope and the commit's other events.
 * - `commandBytes`: the largest command a service takes off the bus: the body plus its envelope.
 */
export const INPUT_LIMITS = { maxDepth: 16, maxKeyBytes: 1024, bodyBytes: 512 * 1024, commandBytes: 576 * 1024 } as const;

/** Keys that reach `Object.prototype` through naive merges; no contract field is named so. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * The schema-free pass over a parsed JSON document: every string and every key obeys the text rule
 * (`storable-text.ts`), no key is a prototype key or longer than `maxKeyBytes`, nothing nests deeper
 * than `maxDepth`. Errors carry the path into the document (`root` is its own path, `''` for a
 * request body). Costs one visit per value and never recurses past `maxDepth`.
 *
 * @example
 * ```ts
 * checkStorableInput({ algorithm: { command: '\u0000' } }, '', e)
 * // e.list: [{ path: 'algorithm.command', code: 'INVALID_TEXT', message: 'contains the NUL character …' }]
 * ```
 */
export function checkStorableInput(value: unknown, root: string, e: FieldErrors, limits = INPUT_LIMITS): void {
  visit(value, root, 0, e, limits);
}

/** {@link checkStorableInput} on its own: the errors of one document. */
export function storableInputErrors(value: unknown, root = ''): FieldError[] {
  const e = new FieldErrors();
  checkStorableInput(value, root, e);
  return e.list;
}

function visit(value: unknown, path: string, depth: number, e: FieldErrors, limits: typeof INPUT_LIMITS): void {
  if (typeof value === 'string') {
    const reason = unstorableReason(value);
    if (reason) e.add(path, FieldCode.InvalidText, `${path || 'the value'} ${describeUnstorable(reason)}`);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= limits.maxDepth) {
    e.add(path, FieldCode.TooDeep, `nested deeper than ${limits.maxDepth} levels`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, indexPath(path, i), depth + 1, e, limits));
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = keyPath(path, key.length > 64 && utf8Length(key) > limits.maxKeyBytes ? `${key.slice(0, 64)}…` : key);
    const reason = unstorableReason(key);
    if (reason) e.add(at, FieldCode.InvalidText, `the key ${describeUnstorable(reason)}`);
    else if (FORBIDDEN_KEYS.includes(key)) e.add(at, FieldCode.ForbiddenKey, `${key} is not allowed as a key`);
    else if (utf8Length(key) > limits.maxKeyBytes) e.add(at, FieldCode.TooLong, `a key is at most ${limits.maxKeyBytes} bytes`);
    visit(item, at, depth + 1, e, limits);
  }
}
