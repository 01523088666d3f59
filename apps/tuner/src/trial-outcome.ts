import type { SearchEventData } from '@trainyard/contracts';
import type { Trial } from '@trainyard/domain';
import type { TrialJobEnd } from './trial-jobs';

/**
 * A finished trial's `TrialEnded`: pruned when the tuner stopped it early, stopped when its job was
 * stopped (the search's stop, or a user's), completed when its job succeeded and the metric was
 * read, failed otherwise — a job that succeeded without printing the metric too, since the search
 * cannot learn from it.
 */
export function trialOutcome(t: Pick<Trial, 'trial' | 'status' | 'reports'>, end: TrialJobEnd, metric: string): SearchEventData['TrialEnded'] {
  const last = t.reports[t.reports.length - 1]?.value;
  const value = last !== undefined ? { value: last } : {};
  if (t.status === 'pruning') return { trial: t.trial, outcome: 'pruned', ...value };
  if (end === 'terminated') return { trial: t.trial, outcome: 'stopped', ...value, reason: 'its job was stopped' };
  if (end === 'succeeded') return last !== undefined ? { trial: t.trial, outcome: 'completed', value: last } : { trial: t.trial, outcome: 'failed', reason: `the metric ${metric} matched no line of worker-0's log` };
  return { trial: t.trial, outcome: 'failed', ...value, reason: `its job ${end === 'deleted' ? 'was deleted' : `is ${end}`}` };
}
