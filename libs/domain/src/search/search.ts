import type { Caller, DomainEvent, SearchEventType, SearchSpec, SearchValues, TrialOutcome } from '@trainyard/contracts';

/** One trial of a search, folded from the search's events. */
export interface Trial {
  trial: number;
  jobId: string;
  values: SearchValues;
  startedAt: string;
  status: 'running' | 'pruning' | TrialOutcome;
  /** Reports of the trial's latest attempt, by step (1-based, in order). */
  attempt: number;
  reports: { step: number; value: number; line: number }[];
  /** The last report's value once ended (absent when nothing matched). */
  value?: number;
  reason?: string;
  endedAt?: string;
}

export interface Search {
  searchId: string;
  spec: SearchSpec;
  caller: Caller;
  seed: number;
  createdAt: string;
  createdBy: string;
  /** `stopping`: a stop was asked and trials may still be winding down. */
  status: 'running' | 'stopping' | 'completed' | 'stopped';
  trials: Trial[];
  best?: { trial: number; value: number; values: SearchValues };
  endedAt?: string;
  stoppedBy?: string;
}

export type SearchState = { status: 'none' } | Search;
export type SearchEvent = DomainEvent<SearchEventType>;

export const initialSearch = (): SearchState => ({ status: 'none' });

/** Folds one event of `ty.ev.search.<id>`. Repeats (a report already folded, a second end) change nothing. */
export function evolveSearch(state: SearchState, event: SearchEvent): SearchState {
  if (event.type === 'SearchCreated') {
    if (state.status !== 'none') return state;
    const d = event.data;
    return { searchId: d.searchId, spec: d.spec, caller: d.caller, seed: d.seed, createdAt: event.time, createdBy: d.caller.id, status: 'running', trials: [] };
  }
  if (state.status === 'none') return state;
  const s = state;
  switch (event.type) {
    case 'TrialStarted': {
      const d = event.data;
      if (s.trials.some((t) => t.trial === d.trial)) return s;
      return { ...s, trials: [...s.trials, { trial: d.trial, jobId: d.jobId, values: d.values, startedAt: event.time, status: 'running', attempt: 0, reports: [] }] };
    }
    case 'TrialReported': {
      const d = event.data;
      return withTrial(s, d.trial, (t) => {
        if (d.attempt < t.attempt) return t;
        // A new attempt of the job (a recovery) starts its steps again.
        const reports = d.attempt > t.attempt ? [] : t.reports;
        if (reports.some((r) => r.step === d.step)) return t;
        return { ...t, attempt: d.attempt, reports: [...reports, { step: d.step, value: d.value, line: d.line }].sort((a, b) => a.step - b.step) };
      });
    }
    case 'TrialPruned':
      return withTrial(s, event.data.trial, (t) => (t.status === 'running' ? { ...t, status: 'pruning' } : t));
    case 'TrialEnded': {
      const d = event.data;
      return withTrial(s, d.trial, (t) =>
        isOver(t) ? t : { ...t, status: d.outcome, ...(d.value !== undefined ? { value: d.value } : {}), ...(d.reason ? { reason: d.reason } : {}), endedAt: event.time },
      );
    }
    case 'BestTrialChanged':
      return { ...s, best: { trial: event.data.trial, value: event.data.value, values: event.data.values } };
    case 'SearchStopped':
      return s.status === 'running' ? { ...s, status: 'stopping', stoppedBy: event.data.by } : s;
    case 'SearchEnded':
      return s.status === 'completed' || s.status === 'stopped' ? s : { ...s, status: event.data.outcome, endedAt: event.time };
  }
}

export const isOver = (t: Pick<Trial, 'status'>) => t.status !== 'running' && t.status !== 'pruning';
export const searchIsOver = (s: Pick<Search, 'status'>) => s.status === 'completed' || s.status === 'stopped';

/** Whether `a` is better than `b` in the search's direction. */
export const better = (direction: 'minimize' | 'maximize', a: number, b: number) => (direction === 'minimize' ? a < b : a > b);

function withTrial(s: Search, trial: number, f: (t: Trial) => Trial): Search {
  const i = s.trials.findIndex((t) => t.trial === trial);
  if (i < 0) return s;
  const next = f(s.trials[i]);
  if (next === s.trials[i]) return s;
  const trials = s.trials.slice();
  trials[i] = next;
  return { ...s, trials };
}
