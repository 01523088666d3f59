import type { SearchParameter, SearchValues } from '@trainyard/contracts';
import type { Random } from './seeded-random';

/** One value of a parameter drawn from its prior: uniform, log-uniform, a uniform integer, a uniform choice. */
export function drawValue(p: SearchParameter, random: Random): number | string {
  if (p.type === 'categorical') return p.choices[Math.min(p.choices.length - 1, Math.floor(random() * p.choices.length))];
  if (p.type === 'float') return fromUnit(p, random());
  return fromUnit(p, random());
}

/** Values for every parameter, drawn independently. */
export const drawValues = (parameters: readonly SearchParameter[], random: Random): SearchValues =>
  Object.fromEntries(parameters.map((p) => [p.name, drawValue(p, random)]));

/**
 * A numeric parameter's value at `u` ∈ [0, 1] of its range (log space on a log scale). An int's range
 * is widened by half a step each side so every integer is as likely, then rounded onto its steps.
 */
export function fromUnit(p: Exclude<SearchParameter, { type: 'categorical' }>, u: number): number {
  const x = Math.min(1, Math.max(0, u));
  if (p.type === 'float') {
    const v = p.log ? Math.exp(Math.log(p.min) + x * (Math.log(p.max) - Math.log(p.min))) : p.min + x * (p.max - p.min);
    return Math.min(p.max, Math.max(p.min, v));
  }
  const step = p.step ?? 1;
  if (p.log) {
    const lo = Math.log(p.min - 0.5 + 1e-9);
    const hi = Math.log(p.max + 0.5 - 1e-9);
    return Math.min(p.max, Math.max(p.min, Math.round(Math.exp(lo + x * (hi - lo)))));
  }
  const steps = Math.floor((p.max - p.min) / step);
  return p.min + step * Math.min(steps, Math.max(0, Math.round(-0.5 + 1e-9 + x * (steps + 1 - 2e-9))));
}

/** Where a numeric value sits in its range, in [0, 1] (log space on a log scale). */
export function toUnit(p: Exclude<SearchParameter, { type: 'categorical' }>, v: number): number {
  const [lo, hi, x] = p.log ? [Math.log(p.min), Math.log(p.max), Math.log(Math.max(v, p.min))] : [p.min, p.max, v];
  return hi === lo ? 0 : Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
}

/** Whether `v` lies in the space (every parameter present, in range, on its steps, a listed choice). */
export function inSpace(parameters: readonly SearchParameter[], v: SearchValues): boolean {
  return parameters.every((p) => {
    const x = v[p.name];
    if (p.type === 'categorical') return typeof x === 'string' && p.choices.includes(x);
    if (typeof x !== 'number' || !Number.isFinite(x) || x < p.min || x > p.max) return false;
    return p.type === 'float' || (Number.isInteger(x) && (p.log || (x - p.min) % (p.step ?? 1) === 0));
  });
}
