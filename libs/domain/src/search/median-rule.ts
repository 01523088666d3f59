import type { SearchDirection, SearchEarlyStopping } from '@trainyard/contracts';
import { better, type Trial } from './search';

export interface PruneVerdict {
  step: number;
  value: number;
  median: number;
}

/**
 * The median stopping rule (as optuna's MedianPruner and Vizier's): at a running trial's latest step
 * (from `warmupSteps` on), its best value so far against the median of the completed trials' values
 * at that same step, once `minTrials` of them reported it. Worse than the median: stop it.
 */
export function medianVerdict(trial: Pick<Trial, 'reports'>, completed: readonly Pick<Trial, 'reports'>[], rule: SearchEarlyStopping, direction: SearchDirection): PruneVerdict | undefined {
  const last = trial.reports[trial.reports.length - 1];
  if (!last || last.step < rule.warmupSteps) return undefined;
  const atStep = completed.map((t) => t.reports.find((r) => r.step === last.step)?.value).filter((v): v is number => v !== undefined);
  if (atStep.length < rule.minTrials) return undefined;
  const m = median(atStep);
  const best = trial.reports.reduce((b, r) => (better(direction, r.value, b) ? r.value : b), trial.reports[0].value);
  return better(direction, m, best) ? { step: last.step, value: best, median: m } : undefined;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
