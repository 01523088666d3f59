import { FieldCode, type FieldError } from './errors';

/**
 * Quota configuration (issue 16), as the API takes it and the `QuotaSet` event carries it: one
 * project's quota in one pool. The planner's model (`libs/scheduling`, `ProjectQuota`) reads it as is.
 *
 * Resources: `cpu` (cores), `memoryMiB`, `gpu`, `npu`, and `gpu/<model>`, `npu/<model>` for one
 * accelerator model (a flavor's `acceleratorType`).
 *
 * @example
 * ```json
 * { "guaranteed": { "gpu": 8, "cpu": 64 }, "limit": { "gpu": 16 }, "cohort": "research", "weight": 2 }
 * ```
 */
export interface QuotaConfig {
  guaranteed: Record<string, number>;
  limit?: Record<string, number>;
  cohort?: string;
  weight?: number;
}

/** `cpu`, `memoryMiB`, `gpu`, `npu`, `gpu/<model>`, `npu/<model>`. */
export const QUOTA_RESOURCE = /^(cpu|memoryMiB|gpu|npu|(gpu|npu)\/[A-Za-z0-9._-]{1,64})$/;
/** Pool and cohort names: subject-safe tokens, as node pools are. */
export const QUOTA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** Largest amount of one resource a quota may name (1e9: beyond any cluster, below float trouble). */
export const MAX_QUOTA_AMOUNT = 1e9;
const MAX_RESOURCES = 32;

export type QuotaCheck = { ok: true; quota: QuotaConfig } | { ok: false; errors: FieldError[] };

/**
 * Checks a quota body's shape and amounts; every offending field is reported. Whether its project
 * exists, and that each limit is at least its guarantee, is the decider's (`SetQuota`).
 */
export function validateQuotaConfig(raw: unknown): QuotaCheck {
  const errors: FieldError[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: '', code: FieldCode.InvalidType, message: 'expected a JSON object' }] };
  }
  const b = raw as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!['guaranteed', 'limit', 'cohort', 'weight'].includes(k)) errors.push({ path: k, code: FieldCode.Unknown, message: 'expected guaranteed, limit, cohort or weight' });
  }
  const guaranteed = amounts('guaranteed', b.guaranteed, errors, true);
  const limit = b.limit === undefined ? undefined : amounts('limit', b.limit, errors, false);
  let cohort: string | undefined;
  if (b.cohort !== undefined) {
    if (typeof b.cohort !== 'string' || !QUOTA_NAME.test(b.cohort)) errors.push({ path: 'cohort', code: FieldCode.InvalidFormat, message: 'a cohort name: letters, digits, - and _, at most 64' });
    else cohort = b.cohort;
  }
  let weight: number | undefined;
  if (b.weight !== undefined) {
    if (typeof b.weight !== 'number' || !Number.isFinite(b.weight) || b.weight <= 0 || b.weight > 1000) errors.push({ path: 'weight', code: FieldCode.OutOfRange, message: 'a number above 0, at most 1000' });
    else weight = b.weight;
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, quota: { guaranteed: guaranteed!, ...(limit ? { limit } : {}), ...(cohort ? { cohort } : {}), ...(weight !== undefined ? { weight } : {}) } };
}

function amounts(path: string, raw: unknown, errors: FieldError[], required: boolean): Record<string, number> | undefined {
  if (raw === undefined && required) {
    errors.push({ path, code: FieldCode.Required, message: 'the guaranteed amounts, e.g. {"gpu": 8}' });
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    errors.push({ path, code: FieldCode.InvalidType, message: 'an object of resource → amount' });
    return undefined;
  }
  const out: Record<string, number> = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > MAX_RESOURCES) errors.push({ path, code: FieldCode.TooMany, message: `at most ${MAX_RESOURCES} resources` });
  for (const [k, v] of entries.slice(0, MAX_RESOURCES)) {
    if (!QUOTA_RESOURCE.test(k)) errors.push({ path: `${path}.${k}`, code: FieldCode.Unknown, message: 'a resource: cpu, memoryMiB, gpu, npu, gpu/<model> or npu/<model>' });
    else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_QUOTA_AMOUNT) errors.push({ path: `${path}.${k}`, code: FieldCode.OutOfRange, message: `a number from 0 to ${MAX_QUOTA_AMOUNT}` });
    else out[k] = v;
  }
  return out;
}

/** The resources whose limit is below their guarantee (a quota that could never hold its own guarantee). */
export function limitBelowGuarantee(q: QuotaConfig): FieldError[] {
  return Object.entries(q.limit ?? {})
    .filter(([k, l]) => q.guaranteed[k] !== undefined && l < q.guaranteed[k])
    .map(([k, l]) => ({ path: `limit.${k}`, code: FieldCode.OutOfRange, message: `limit ${l} is below the guarantee ${q.guaranteed[k]}` }));
}
