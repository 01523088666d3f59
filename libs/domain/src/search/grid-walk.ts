import { gridAxis, gridCount, type SearchParameter, type SearchValues } from '@trainyard/contracts';
import { seededRandom } from './seeded-random';

/**
 * The values of grid point `index` (0-based): a mixed-radix count over the axes, the last parameter
 * changing fastest.
 */
export function gridPoint(parameters: readonly SearchParameter[], index: number): SearchValues {
  const values: SearchValues = {};
  let rest = index;
  for (let i = parameters.length - 1; i >= 0; i--) {
    const axis = gridAxis(parameters[i]);
    values[parameters[i].name] = axis[rest % axis.length];
    rest = Math.floor(rest / axis.length);
  }
  return values;
}

/**
 * The grid point trial `trial` (1-based) runs. With `num_samples` at least the grid's size every point
 * runs once, in order; with fewer, a seeded random choice of distinct points (the first ones of a
 * shuffle), so a small budget still spreads over the whole grid.
 */
export function gridTrialValues(parameters: readonly SearchParameter[], numSamples: number, seed: number, trial: number): SearchValues | undefined {
  const size = gridCount(parameters);
  if (trial < 1 || trial > Math.min(size, numSamples)) return undefined;
  if (numSamples >= size) return gridPoint(parameters, trial - 1);
  // Fisher–Yates over the indices, stopped after `trial` draws (a sparse map: the grid may be large).
  const random = seededRandom(seed);
  const swapped = new Map<number, number>();
  let pick = 0;
  for (let i = 0; i < trial; i++) {
    const j = i + Math.floor(random() * (size - i));
    const at = (k: number) => swapped.get(k) ?? k;
    pick = at(j);
    swapped.set(j, at(i));
    swapped.set(i, pick);
  }
  return gridPoint(parameters, pick);
}
