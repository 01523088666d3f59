import type { TSchema } from '@sinclair/typebox';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import { FieldCode, type FieldError } from './errors';
import { MAX_FIELD_ERRORS, indexPath, keyPath } from './validate-fields';

/**
 * Structural validation derived from a wire schema: TypeBox's checker, its errors turned into the
 * API's field errors (dotted path, stable FieldCode). One error per path (the first: a missing field
 * is REQUIRED, not also "expected string"), at most {@link MAX_FIELD_ERRORS}. The guide's semantic
 * rules are not here; they run on documents this accepts.
 *
 * @example
 * ```ts
 * wireErrors(V2CreateTrainingJobSchema, { kind: 'job', metadata: {}, algorithm: {}, spec: {} })
 * // [{ path: 'metadata.name', code: 'REQUIRED', message: 'Expected required property' }, { path: 'spec.resource', … }]
 * ```
 */
export function wireErrors(schema: TSchema, value: unknown, root = ''): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of Value.Errors(schema, value)) {
    // JSON Schema counts a string's length in code points; TypeBox's checker in UTF-16 units.
    if (error.type === ValueErrorType.StringMaxLength && [...String(error.value)].length <= (error.schema.maxLength as number)) continue;
    const path = dottedPath(error.path, root);
    // A deeper error explains its parent's (an object that fails because of one field): keep the deepest
    // first reported per path, and skip a parent's once one of its fields is reported.
    if (seen.has(path) || [...seen].some((p) => p.startsWith(`${path}.`) || p.startsWith(`${path}[`))) continue;
    seen.add(path);
    const rule = error.schema[RULE];
    out.push({ path, code: fieldCode(error), message: message(error), ...(typeof rule === 'string' ? { rule } : {}) });
    if (out.length >= MAX_FIELD_ERRORS) break;
  }
  return out;
}

/**
 * The schema keyword naming the guide's rule a field's constraints come from (an OpenAPI `x-`
 * extension): errors at that field carry it as `rule`, as the hand-written rules' do.
 */
export const RULE = 'x-rule';
export const rule = (id: string) => ({ [RULE]: id });

/** `/spec/resource/node_count` → `spec.resource.node_count`; `/tags/0/key` → `tags[0].key`. */
export function dottedPath(pointer: string, root = ''): string {
  let path = root;
  for (const raw of pointer.split('/').slice(1)) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(token) ? indexPath(path, Number(token)) : keyPath(path, token);
  }
  return path;
}

function fieldCode(e: ValueError): FieldCode {
  switch (e.type) {
    case ValueErrorType.ObjectRequiredProperty:
    case ValueErrorType.ArrayMinItems:
    case ValueErrorType.ObjectMinProperties:
      return FieldCode.Required;
    case ValueErrorType.StringMinLength:
      return FieldCode.Required;
    case ValueErrorType.ObjectAdditionalProperties:
      return FieldCode.Unknown;
    case ValueErrorType.StringMaxLength:
      return FieldCode.TooLong;
    case ValueErrorType.ArrayMaxItems:
    case ValueErrorType.ObjectMaxProperties:
      return FieldCode.TooMany;
    case ValueErrorType.StringPattern:
    case ValueErrorType.StringFormat:
    case ValueErrorType.Literal:
      return FieldCode.InvalidFormat;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerExclusiveMaximum:
    case ValueErrorType.IntegerExclusiveMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberExclusiveMaximum:
    case ValueErrorType.NumberExclusiveMinimum:
      return FieldCode.OutOfRange;
    case ValueErrorType.Union:
      // A union of string constants is an enum: a string outside it is a format error, anything else a type error.
      return typeof e.value === 'string' ? FieldCode.InvalidFormat : FieldCode.InvalidType;
    default:
      return FieldCode.InvalidType;
  }
}

function message(e: ValueError): string {
  if (e.type === ValueErrorType.Union) {
    const options = (e.schema.anyOf as { const?: unknown }[] | undefined)?.map((s) => s.const).filter((c) => typeof c === 'string');
    if (options?.length) return `expected one of ${options.join(', ')}`;
  }
  if (e.type === ValueErrorType.Literal) return `expected ${JSON.stringify(e.schema.const)}`;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) return 'unknown field';
  if (e.type === ValueErrorType.ObjectRequiredProperty) return 'is required';
  return e.message.charAt(0).toLowerCase() + e.message.slice(1);
}
