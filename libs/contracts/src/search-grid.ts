import type { SearchParameter } from './search-spec';

/**
 * The points of a `grid` search along one parameter: a float's `steps` (default 5) evenly spaced
 * values from min to max (evenly in log space on a log scale), an int's every `step` from min, a
 * log-scale int's up to 5 rounded log-spaced values, a categorical's choices. The validation counts
 * the grid with this and the tuner walks it, so both always agree.
 */
export function gridAxis(p: SearchParameter): (number | string)[] {
  if (p.type === 'categorical') return p.choices;
  if (p.type === 'float') return spaced(p.min, p.max, p.steps ?? 5, p.log === true);
  if (p.log) return [...new Set(spaced(p.min, p.max, Math.min(5, p.max - p.min + 1), true).map(Math.round))];
  const step = p.step ?? 1;
  const n = Math.floor((p.max - p.min) / step) + 1;
  // A huge int range is counted without being listed (the validation refuses such a grid).
  if (n > 1_000_000) return [];
  return Array.from({ length: n }, (_, i) => p.min + i * step);
}

/** Points of an axis without listing a huge int range. */
export function gridAxisSize(p: SearchParameter): number {
  if (p.type === 'int' && !p.log) return Math.floor((p.max - p.min) / (p.step ?? 1)) + 1;
  return gridAxis(p).length;
}

/** Points of the full grid. */
export const gridCount = (parameters: readonly SearchParameter[]): number => parameters.reduce((n, p) => n * gridAxisSize(p), 1);

function spaced(min: number, max: number, n: number, log: boolean): number[] {
  if (n <= 1) return [min];
  const [a, b] = log ? [Math.log(min), Math.log(max)] : [min, max];
  return Array.from({ length: n }, (_, i) => {
    if (i === n - 1) return max;
    const x = a + ((b - a) * i) / (n - 1);
    return log ? Math.exp(x) : x;
  });
}
