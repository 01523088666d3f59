import { FieldCode, type FieldError } from '@trainyard/contracts';
import type { SimNode, SimOptions } from '@trainyard/history';

/** The keys `yard sim --config` takes: the planner's durations and the scheduler's hour. */
const CONFIG_KEYS = ['minRunTimeMs', 'reservationTtlMs', 'reservationBackoffMs', 'hourMs'] as const;
/** Longest duration a key may name: a year (beyond it, no recorded day is about the policy). */
const MAX_MS = 365 * 24 * 3_600_000;
const RESOURCES = ['cpu', 'memoryMiB', 'gpu', 'npu'] as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * `yard sim --config FILE`: every offending key is named, so a typo (`minRuntimeMs`) is not a replay
 * silently under the default policy.
 *
 * @example
 * ```ts
 * simConfig({ minRunTimeMs: 600000, hourMs: 1000 }) // { ok: true, value: { hourMs: 1000, planner: { minRunTimeMs: 600000 } } }
 * ```
 */
export function simConfig(doc: unknown): Checked<Pick<SimOptions, 'hourMs'> & { planner: NonNullable<SimOptions['planner']> }> {
  if (!isObject(doc)) return { ok: false, errors: [{ path: '', code: FieldCode.InvalidType, message: `expected a mapping of ${CONFIG_KEYS.join(', ')}` }] };
  const errors: FieldError[] = [];
  const planner: Record<string, number> = {};
  let hourMs: number | undefined;
  for (const [k, v] of Object.entries(doc)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
      errors.push({ path: k, code: FieldCode.Unknown, message: `expected one of ${CONFIG_KEYS.join(', ')}` });
    } else if (typeof v !== 'number' || !Number.isFinite(v) || v < (k === 'hourMs' ? 1 : 0) || v > MAX_MS) {
      errors.push({ path: k, code: FieldCode.OutOfRange, message: `milliseconds, ${k === 'hourMs' ? 1 : 0} to ${MAX_MS}` });
    } else if (k === 'hourMs') hourMs = v;
    else planner[k] = v;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: { ...(hourMs !== undefined ? { hourMs } : {}), planner } };
}

/** `yard sim --cluster FILE`: a list of `{ id, pool, capacity: { cpu, memoryMiB, gpu, npu }, labels? }`. */
export function simCluster(doc: unknown): Checked<SimNode[]> {
  if (!Array.isArray(doc) || doc.length === 0) return { ok: false, errors: [{ path: '', code: FieldCode.InvalidType, message: 'expected a non-empty list of nodes' }] };
  const errors: FieldError[] = [];
  const ids = new Set<string>();
  doc.forEach((n, i) => {
    const at = `[${i}]`;
    if (!isObject(n)) return void errors.push({ path: at, code: FieldCode.InvalidType, message: 'expected a node: { id, pool, capacity }' });
    for (const k of ['id', 'pool'] as const) {
      if (typeof n[k] !== 'string' || !NAME.test(n[k] as string)) errors.push({ path: `${at}.${k}`, code: FieldCode.InvalidFormat, message: 'letters, digits, ., - and _, at most 64' });
    }
    if (typeof n.id === 'string') {
      if (ids.has(n.id)) errors.push({ path: `${at}.id`, code: FieldCode.Duplicate, message: `node ${n.id} is listed twice` });
      ids.add(n.id);
    }
    const c = n.capacity;
    if (!isObject(c)) errors.push({ path: `${at}.capacity`, code: FieldCode.Required, message: 'expected { cpu, memoryMiB, gpu, npu }' });
    else for (const r of RESOURCES) {
      const v = c[r] ?? (r === 'gpu' || r === 'npu' ? 0 : undefined);
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) errors.push({ path: `${at}.capacity.${r}`, code: FieldCode.OutOfRange, message: 'a number, 0 or more' });
    }
    if (n.labels !== undefined && (!isObject(n.labels) || Object.values(n.labels).some((v) => typeof v !== 'string'))) {
      errors.push({ path: `${at}.labels`, code: FieldCode.InvalidType, message: 'expected a mapping of strings' });
    }
  });
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: doc.map((n: Record<string, any>) => ({
      id: n.id, pool: n.pool, capacity: { cpu: n.capacity.cpu, memoryMiB: n.capacity.memoryMiB, gpu: n.capacity.gpu ?? 0, npu: n.capacity.npu ?? 0 },
      ...(n.host !== undefined ? { host: String(n.host) } : {}), ...(n.labels ? { labels: n.labels } : {}),
    })),
  };
}
