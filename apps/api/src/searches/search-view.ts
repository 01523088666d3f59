import type { SearchSummary, SearchView, TrialView } from '@trainyard/contracts';
import type { Search, Trial } from '@trainyard/domain';

/** A search as `GET /v1/searches` lists it. */
export function searchSummary(s: Search): SearchSummary {
  const spec = s.spec;
  const best = s.best ? { ...s.best, jobId: s.trials.find((t) => t.trial === s.best!.trial)?.jobId ?? '' } : null;
  return {
    id: s.searchId,
    name: spec.metadata.name,
    project: spec.metadata.project,
    description: spec.metadata.description ?? null,
    algorithm: spec.search.algorithm,
    algorithmParameters: spec.search.algorithmParameters as unknown as Record<string, number | string>,
    metric: spec.search.metric,
    parallelTrials: spec.search.parallelTrials,
    status: s.status,
    trialsStarted: s.trials.length,
    trialsEnded: s.trials.filter((t) => t.status !== 'running' && t.status !== 'pruning').length,
    numSamples: spec.search.algorithmParameters.num_samples,
    best,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    endedAt: s.endedAt ?? null,
    stoppedBy: s.stoppedBy ?? null,
  };
}

/** A search with its space and every trial (`GET /v1/searches/:id`). */
export function searchView(s: Search): SearchView {
  return {
    ...searchSummary(s),
    parameters: s.spec.search.parameters as unknown as Record<string, unknown>[],
    earlyStopping: s.spec.search.earlyStopping ?? null,
    trials: s.trials.map(trialView),
  };
}

function trialView(t: Trial): TrialView {
  const last = t.reports[t.reports.length - 1];
  return {
    trial: t.trial,
    jobId: t.jobId,
    values: t.values,
    status: t.status,
    value: t.value ?? null,
    reports: t.reports.length,
    lastReport: last ? { step: last.step, value: last.value } : null,
    reason: t.reason ?? null,
    startedAt: t.startedAt,
    endedAt: t.endedAt ?? null,
  };
}
