import type { SearchDirection, SearchParameter, SearchValues } from '@trainyard/contracts';
import { drawValues, fromUnit, toUnit } from './search-space';
import type { Random } from './seeded-random';

export interface AnnealOptions {
  /** Mean of the geometric distribution over the ranked trials (≥ 1; 1 always picks the best). */
  avgBestIdx: number;
  /** The neighbourhood's width is `1 / (1 + finished × shrinkCoef)` of the range. */
  shrinkCoef: number;
}

/**
 * The next values of an `anneal_search` (the guide's 模拟退火, L7019–L7042; hyperopt's anneal as its
 * parameters suggest): rank the finished trials best first, pick one by a geometric draw of mean
 * `avgBestIdx` (sometimes not the best, to leave a local optimum), and draw each parameter near that
 * trial's value in a neighbourhood that shrinks as trials finish; a categorical keeps its value or,
 * with the neighbourhood's share as the chance, draws afresh. With nothing finished it draws from the priors.
 */
export function annealValues(
  parameters: readonly SearchParameter[],
  finished: readonly { values: SearchValues; value: number }[],
  direction: SearchDirection,
  options: AnnealOptions,
  random: Random,
): SearchValues {
  if (finished.length === 0) return drawValues(parameters, random);
  const ranked = [...finished].sort((a, b) => (direction === 'minimize' ? a.value - b.value : b.value - a.value));
  const base = ranked[Math.min(ranked.length - 1, geometricIndex(options.avgBestIdx, random))].values;
  const shrink = 1 / (1 + finished.length * options.shrinkCoef);
  const out: SearchValues = {};
  for (const p of parameters) {
    const v = base[p.name];
    if (p.type === 'categorical') {
      out[p.name] = random() < shrink || typeof v !== 'string' ? p.choices[Math.min(p.choices.length - 1, Math.floor(random() * p.choices.length))] : v;
      continue;
    }
    const centre = typeof v === 'number' ? toUnit(p, v) : random();
    const lo = Math.max(0, centre - shrink / 2);
    const hi = Math.min(1, centre + shrink / 2);
    out[p.name] = fromUnit(p, lo + random() * (hi - lo));
  }
  return out;
}

/** A 0-based index from a geometric distribution whose 1-based mean is `mean`. */
export function geometricIndex(mean: number, random: Random): number {
  const p = 1 / Math.max(1, mean);
  if (p >= 1) return 0;
  return Math.max(0, Math.ceil(Math.log(1 - random()) / Math.log(1 - p)) - 1);
}
