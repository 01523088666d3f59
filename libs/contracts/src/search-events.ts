import type { Caller } from './commands';
import type { SearchSpec, SearchValues } from './search-spec';

/**
 * A hyperparameter search's events (issue 15): one aggregate per search, `ty.ev.search.<searchId>`.
 * The API writes its creation and a stop; the tuner (apps/tuner) every trial's start, reports and
 * end, the best trial, and the end. The tuner's state is these events folded, so it resumes after a
 * restart from the log alone, and the optimiser is told the finished trials again.
 */
export type TrialOutcome = 'completed' | 'failed' | 'pruned' | 'stopped';

export interface SearchEventData {
  /** A search was made. `caller`: whom its trials are submitted for, with the permissions it had in the project then. */
  SearchCreated: { searchId: string; spec: SearchSpec; caller: Caller; seed: number };
  /** Trial `trial` (1-based) was given these values; its job `jobId` is submitted next. */
  TrialStarted: { trial: number; jobId: string; values: SearchValues };
  /** The metric regex matched a line of the trial's log: report `step` (1-based within the attempt). */
  TrialReported: { trial: number; attempt: number; step: number; value: number; line: number };
  /** Early stopping: the trial was worse than the finished trials' median at `step`; its job is stopped. */
  TrialPruned: { trial: number; step: number; value: number; median: number };
  /** The trial's job is over. `value`: the last report (absent when none matched). */
  TrialEnded: { trial: number; outcome: TrialOutcome; value?: number; reason?: string };
  /** A trial better than every earlier one finished. */
  BestTrialChanged: { trial: number; value: number; values: SearchValues };
  /** A stop was asked: no new trial; running ones are stopped. */
  SearchStopped: { by: string };
  /** Every trial is over. */
  SearchEnded: { outcome: 'completed' | 'stopped'; trials: number; best?: { trial: number; value: number; values: SearchValues } };
}
export type SearchEventType = keyof SearchEventData;
export const SEARCH_EVENT_TYPES: readonly SearchEventType[] = [
  'SearchCreated', 'TrialStarted', 'TrialReported', 'TrialPruned', 'TrialEnded', 'BestTrialChanged', 'SearchStopped', 'SearchEnded',
];
