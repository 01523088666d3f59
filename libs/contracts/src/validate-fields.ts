import { FieldCode, type FieldError } from './errors';
import { utf8Length } from './storable-text';

/**
 * Small building blocks of `validateJobSpec`: a collector that keeps every error, path builders, and
 * typed field readers that report and return `undefined` on a bad value so checks can go on.
 */
export class FieldErrors {
  private readonly kept: FieldError[] = [];
  private omitted = 0;

  add(path: string, code: FieldCode, message: string, rule?: string): void {
    // A hostile document can hold thousands of faults; the reply (a NATS message, ≤ 1 MiB) must not.
    if (this.kept.length >= MAX_FIELD_ERRORS) this.omitted++;
    else this.kept.push({ path, code, message, ...(rule ? { rule } : {}) });
  }

  /** The errors found, at most {@link MAX_FIELD_ERRORS}, then one TOO_MANY entry counting the rest. */
  get list(): FieldError[] {
    if (this.omitted === 0) return this.kept;
    return [...this.kept, { path: '', code: FieldCode.TooMany, message: `${this.omitted} more error(s) not listed` }];
  }
}

/** Most field errors one reply lists. */
export const MAX_FIELD_ERRORS = 100;

/** The field names a wire schema object declares: the known keys `checkKnownKeys` holds a document to. */
export const keysOf = (schema: { properties: Record<string, unknown> }): string[] => Object.keys(schema.properties);

/** A plain object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SIMPLE_KEY = /^[A-Za-z0-9_\-/]+$/;

/** `parent.key`, or `parent["odd key"]` when the key would be ambiguous in a dotted path. */
export function keyPath(parent: string, key: string): string {
  if (!SIMPLE_KEY.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent ? `${parent}.${key}` : key;
}

export const indexPath = (parent: string, index: number): string => `${parent}[${index}]`;

/** Reports every key of `obj` outside `known` as UNKNOWN_FIELD, so a typo never passes silently. */
export function checkKnownKeys(obj: Record<string, unknown>, known: readonly string[], path: string, e: FieldErrors): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) e.add(keyPath(path, key), FieldCode.Unknown, `unknown field ${key}; expected one of ${known.join(', ')}`);
  }
}

/** Reads a value that must be an object; reports REQUIRED / INVALID_TYPE. */
export function objectAt(value: unknown, path: string, e: FieldErrors, required: boolean): Record<string, unknown> | undefined {
  if (value === undefined) {
    if (required) e.add(path, FieldCode.Required, `${path || 'document'} is required`);
    return undefined;
  }
  if (!isRecord(value)) {
    e.add(path, FieldCode.InvalidType, `${path || 'document'} must be an object`);
    return undefined;
  }
  return value;
}

/** Reads a value that must be an array; reports REQUIRED / INVALID_TYPE. */
export function arrayAt(value: unknown, path: string, e: FieldErrors, required = false): unknown[] | undefined {
  if (value === undefined) {
    if (required) e.add(path, FieldCode.Required, `${path} is required`);
    return undefined;
  }
  if (!Array.isArray(value)) {
    e.add(path, FieldCode.InvalidType, `${path} must be an array`);
    return undefined;
  }
  return value;
}

/**
 * Reads a string; `nonEmpty` also refuses blank strings (as REQUIRED); `maxChars` (characters) and
 * `maxBytes` (UTF-8 bytes, for what reaches the kernel: argv, environment, paths) refuse longer ones
 * as TOO_LONG.
 */
export function stringAt(
  value: unknown,
  path: string,
  e: FieldErrors,
  opts: { required?: boolean; nonEmpty?: boolean; rule?: string; maxChars?: number; maxBytes?: number } = {},
): string | undefined {
  if (value === undefined) {
    if (opts.required) e.add(path, FieldCode.Required, `${path} is required`, opts.rule);
    return undefined;
  }
  if (typeof value !== 'string') {
    e.add(path, FieldCode.InvalidType, `${path} must be a string`, opts.rule);
    return undefined;
  }
  if (!withinLength(value, path, e, opts)) return undefined;
  if (opts.nonEmpty && value.trim().length === 0) {
    e.add(path, FieldCode.Required, `${path} must not be empty`, opts.rule);
    return undefined;
  }
  return value;
}

/** TOO_LONG when `s` has more than `maxChars` characters or `maxBytes` UTF-8 bytes. */
export function withinLength(
  s: string,
  path: string,
  e: FieldErrors,
  max: { maxChars?: number; maxBytes?: number; rule?: string; what?: string },
): boolean {
  const what = max.what ? `${max.what} is ` : '';
  // UTF-16 units bound both measures (≥ characters, ≥ bytes / 3): most strings skip the count.
  if (max.maxChars !== undefined && s.length > max.maxChars && charLength(s) > max.maxChars) {
    e.add(path, FieldCode.TooLong, `${what}at most ${max.maxChars} characters`, max.rule);
    return false;
  }
  if (max.maxBytes !== undefined && s.length > max.maxBytes / 3 && utf8Length(s) > max.maxBytes) {
    e.add(path, FieldCode.TooLong, `${what}at most ${max.maxBytes} bytes (UTF-8)`, max.rule);
    return false;
  }
  return true;
}

/**
 * Length limits of a file-system path (Linux PATH_MAX 4096 and NAME_MAX 255, both in bytes): the
 * whole path, and each `/`-separated segment.
 */
export const PATH_LIMITS = { pathBytes: 4096, segmentBytes: 255 } as const;

/** Reads a path-like string (see {@link stringAt}) held to {@link PATH_LIMITS}. */
export function pathAt(value: unknown, path: string, e: FieldErrors, opts: { required?: boolean; rule?: string } = {}): string | undefined {
  const p = stringAt(value, path, e, { ...opts, nonEmpty: true, maxBytes: PATH_LIMITS.pathBytes });
  if (p === undefined) return undefined;
  const long = p.split('/').find((segment) => utf8Length(segment) > PATH_LIMITS.segmentBytes);
  if (long !== undefined) {
    e.add(path, FieldCode.TooLong, `a path segment is at most ${PATH_LIMITS.segmentBytes} bytes (UTF-8)`, opts.rule);
    return undefined;
  }
  return p;
}

/** Reads an integer in [min, max]; INVALID_TYPE for non-integers, OUT_OF_RANGE outside the bounds. */
export function integerAt(
  value: unknown,
  path: string,
  e: FieldErrors,
  bounds: { min: number; max?: number; required?: boolean; rule?: string },
): number | undefined {
  if (value === undefined) {
    if (bounds.required) e.add(path, FieldCode.Required, `${path} is required`, bounds.rule);
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    e.add(path, FieldCode.InvalidType, `${path} must be an integer`, bounds.rule);
    return undefined;
  }
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (value < bounds.min || value > max) {
    const range = bounds.max === undefined ? `≥ ${bounds.min}` : `${bounds.min}–${bounds.max}`;
    e.add(path, FieldCode.OutOfRange, `${path} must be ${range}`, bounds.rule);
    return undefined;
  }
  return value;
}

/** Reads one of `allowed`; INVALID_FORMAT otherwise. */
export function enumAt<T extends string>(value: unknown, path: string, allowed: readonly T[], e: FieldErrors, rule?: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    e.add(path, FieldCode.InvalidType, `${path} must be a string`, rule);
    return undefined;
  }
  if (!(allowed as readonly string[]).includes(value)) {
    e.add(path, FieldCode.InvalidFormat, `${path} must be one of ${allowed.join(', ')}`, rule);
    return undefined;
  }
  return value as T;
}

/** Characters, not UTF-16 units: a Chinese description of 256 characters is 256 long. */
export const charLength = (s: string): number => [...s].length;

/** POSIX shell identifier: what `export NAME=…` accepts. */
export const SHELL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Hyperparameter / channel name: ≤ 64 of `[A-Za-z0-9_-]` (L2961). */
export const PARAMETER_NAME = /^[A-Za-z0-9_-]{1,64}$/;
