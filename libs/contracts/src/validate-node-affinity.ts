import { FieldCode } from './errors';
import { NODE_AFFINITY_LIMITS } from './spec-limits';
import { NODE_AFFINITY_STRENGTHS, NODE_AFFINITY_TYPES, NodeAffinityRuleSchema } from './job-spec';
import { FieldErrors, arrayAt, checkKnownKeys, keysOf, charLength, enumAt, indexPath, keyPath, objectAt } from './validate-fields';


/**
 * `spec.nodeAffinity` (亲和调度策略, ch04-06 §8.4): a list of `{ type, strength, labels }`. Each rule
 * needs at least one label; a label value is a string or a non-empty list of strings ("any of").
 * Two rules that name exactly the same labels with opposite required types can never both hold, so
 * they are refused as conflicting.
 */
export function validateNodeAffinity(value: unknown, e: FieldErrors): void {
  const path = 'spec.nodeAffinity';
  const list = arrayAt(value, path, e);
  if (!list) return;
  if (list.length > NODE_AFFINITY_LIMITS.rules) return e.add(path, FieldCode.TooMany, `at most ${NODE_AFFINITY_LIMITS.rules} rules (got ${list.length})`);
  const required = new Map<string, { type: string; at: string }>();
  list.forEach((item, i) => {
    const at = indexPath(path, i);
    const rule = objectAt(item, at, e, true);
    if (!rule) return;
    checkKnownKeys(rule, keysOf(NodeAffinityRuleSchema), at, e);
    if (rule.type === undefined) e.add(`${at}.type`, FieldCode.Required, 'type is required (affinity or anti-affinity)');
    const type = enumAt(rule.type, `${at}.type`, NODE_AFFINITY_TYPES, e);
    if (rule.strength === undefined) e.add(`${at}.strength`, FieldCode.Required, 'strength is required (required or preferred)');
    const strength = enumAt(rule.strength, `${at}.strength`, NODE_AFFINITY_STRENGTHS, e);
    const labels = validateLabels(rule.labels, `${at}.labels`, e);
    if (!type || strength !== 'required' || !labels) return;
    const key = JSON.stringify(labels);
    const other = required.get(key);
    if (other && other.type !== type) e.add(at, FieldCode.Conflict, `required ${type} on the same labels as ${other.at} (required ${other.type}) can never be met`);
    else required.set(key, { type, at });
  });
}

/** Returns the labels normalised (sorted keys, sorted value lists) when valid. */
function validateLabels(value: unknown, path: string, e: FieldErrors): [string, string[]][] | undefined {
  const labels = objectAt(value, path, e, true);
  if (!labels) return undefined;
  const keys = Object.keys(labels);
  let ok = true;
  if (keys.length === 0) {
    e.add(path, FieldCode.Required, 'at least one label');
    return undefined;
  }
  if (keys.length > NODE_AFFINITY_LIMITS.labelsPerRule) {
    e.add(path, FieldCode.TooMany, `at most ${NODE_AFFINITY_LIMITS.labelsPerRule} labels`);
    return undefined;
  }
  const out: [string, string[]][] = [];
  for (const key of keys.sort()) {
    const at = keyPath(path, key);
    if (key.trim().length === 0 || charLength(key) > NODE_AFFINITY_LIMITS.keyLength) {
      e.add(at, FieldCode.InvalidFormat, `a label key is 1–${NODE_AFFINITY_LIMITS.keyLength} characters`);
      ok = false;
      continue;
    }
    const raw = labels[key];
    const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : undefined;
    if (!values) {
      e.add(at, FieldCode.InvalidType, 'a label value is a string or a list of strings');
      ok = false;
      continue;
    }
    if (values.length === 0) {
      e.add(at, FieldCode.Required, 'at least one value');
      ok = false;
    }
    if (values.length > NODE_AFFINITY_LIMITS.valuesPerLabel) {
      e.add(at, FieldCode.TooMany, `at most ${NODE_AFFINITY_LIMITS.valuesPerLabel} values`);
      ok = false;
      continue;
    }
    values.forEach((v, j) => {
      const vat = Array.isArray(raw) ? indexPath(at, j) : at;
      if (typeof v !== 'string') {
        e.add(vat, FieldCode.InvalidType, 'a label value is a string');
        ok = false;
      } else if (charLength(v) > NODE_AFFINITY_LIMITS.valueLength) {
        e.add(vat, FieldCode.TooLong, `at most ${NODE_AFFINITY_LIMITS.valueLength} characters`);
        ok = false;
      }
    });
    out.push([key, [...values].map(String).sort()]);
  }
  return ok ? out : undefined;
}
