import { FieldCode } from './errors';
import { ANNOTATION_LIMITS } from './spec-limits';
import { FieldErrors, isRecord, keyPath, withinLength } from './validate-fields';


/** The fault-tolerance annotations (ch12-13, L8055–8067, L8620–8623). */
export const FaultToleranceAnnotation = {
  jobRetryNum: 'fault-tolerance/job-retry-num',
  jobUnconditionalRetry: 'fault-tolerance/job-unconditional-retry',
  hangRetry: 'fault-tolerance/hang-retry',
  podRetryNum: 'fault-tolerance/pod-retry-num',
  hcclOpRetry: 'fault-tolerance/hccl_op_retry',
} as const;

const FT = FaultToleranceAnnotation;
const KNOWN: readonly string[] = Object.values(FT);
/** Only mean something with auto restart on, i.e. with `job-retry-num` present (ch12-13 "Required by all the others"). */
const NEED_RETRY_NUM: readonly string[] = [FT.jobUnconditionalRetry, FT.hangRetry, FT.podRetryNum];
const DIGITS = /^\d+$/;

/**
 * V18 and the shape of `metadata.annotations`: a free string map, except the `fault-tolerance/`
 * namespace, where every key is known and a misspelt one would silently turn recovery off.
 * `accelerated` says whether the flavor has any GPU/NPU (undefined when the flavor is unreadable).
 */
export function validateAnnotations(value: unknown, accelerated: boolean | undefined, e: FieldErrors): void {
  const path = 'metadata.annotations';
  if (value === undefined) return;
  if (!isRecord(value)) {
    e.add(path, FieldCode.InvalidType, `${path} must be a map of strings`);
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > ANNOTATION_LIMITS.annotations) {
    return e.add(path, FieldCode.TooMany, `at most ${ANNOTATION_LIMITS.annotations} annotations (got ${entries.length})`);
  }
  for (const [key, v] of entries) {
    const at = keyPath(path, key);
    if (!withinLength(key, at, e, { maxChars: ANNOTATION_LIMITS.keyLength, what: 'an annotation key' })) continue;
    if (key.trim() === '') {
      e.add(at, FieldCode.InvalidFormat, 'an annotation key must not be blank');
      continue;
    }
    if (typeof v !== 'string') {
      e.add(at, FieldCode.InvalidType, `annotation ${key} must be a string`);
      continue;
    }
    if (!withinLength(v, at, e, { maxChars: ANNOTATION_LIMITS.valueLength, what: 'an annotation value' })) continue;
    if (!key.startsWith('fault-tolerance/')) continue;
    switch (key) {
      case FT.jobRetryNum:
        countAt(v, at, 1, 128, e);
        break;
      case FT.podRetryNum:
        countAt(v, at, 0, Number.MAX_SAFE_INTEGER, e);
        break;
      case FT.jobUnconditionalRetry:
      case FT.hcclOpRetry:
        booleanAt(v, at, e);
        break;
      case FT.hangRetry:
        // Hang detection watches accelerator utilisation: meaningless on CPU flavors (L1972–1980).
        if (booleanAt(v, at, e) && v === 'true' && accelerated === false) {
          e.add(at, FieldCode.Forbidden, 'hang-retry needs a GPU or NPU flavor', 'V18');
        }
        break;
      default:
        e.add(at, FieldCode.Unknown, `unknown fault-tolerance annotation; expected one of ${KNOWN.join(', ')}`, 'V18');
    }
  }
  const dependents = NEED_RETRY_NUM.filter((k) => value[k] !== undefined);
  if (dependents.length && value[FT.jobRetryNum] === undefined) {
    e.add(keyPath(path, FT.jobRetryNum), FieldCode.Required, `required by ${dependents.join(', ')}`, 'V18');
  }
}

function countAt(v: string, at: string, min: number, max: number, e: FieldErrors): void {
  if (!DIGITS.test(v)) return e.add(at, FieldCode.InvalidFormat, 'must be a decimal integer string, e.g. "3"', 'V18');
  const n = Number(v);
  if (n < min || n > max) e.add(at, FieldCode.OutOfRange, max === Number.MAX_SAFE_INTEGER ? `must be ≥ ${min}` : `must be ${min}–${max}`, 'V18');
}

function booleanAt(v: string, at: string, e: FieldErrors): boolean {
  if (v === 'true' || v === 'false') return true;
  e.add(at, FieldCode.InvalidFormat, 'must be "true" or "false"', 'V18');
  return false;
}
