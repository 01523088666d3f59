import { type Caller, ErrorCode, type SearchSpec } from '@trainyard/contracts';
import { accept, type Command, type Decision, reject } from '../decider';
import { searchIsOver, type SearchEvent, type SearchState } from './search';

/** What the API decides about a search; the tuner writes everything else. */
export type SearchCommand =
  | Command<'CreateSearch', { searchId: string; spec: SearchSpec; caller: Caller; seed: number }>
  | Command<'StopSearch', { searchId: string; by: string }>;

export const SearchRejection = { Exists: 'SearchExists', NotFound: 'SearchNotFound', Over: 'SearchOver' } as const;
export type SearchRejection = (typeof SearchRejection)[keyof typeof SearchRejection];

export function decideSearch(command: SearchCommand, state: SearchState): Decision<SearchEvent, SearchRejection> {
  const time = command.metadata.now;
  switch (command.type) {
    case 'CreateSearch': {
      if (state.status !== 'none') return reject(ErrorCode.Conflict, SearchRejection.Exists, `search ${command.data.searchId} exists`);
      const d = command.data;
      return accept({ type: 'SearchCreated', version: 1, time, data: { searchId: d.searchId, spec: d.spec, caller: d.caller, seed: d.seed } });
    }
    case 'StopSearch': {
      if (state.status === 'none') return reject(ErrorCode.NotFound, SearchRejection.NotFound, `no search ${command.data.searchId}`);
      if (searchIsOver(state) || state.status === 'stopping') return reject(ErrorCode.IllegalState, SearchRejection.Over, `search ${command.data.searchId} is ${state.status}`);
      return accept({ type: 'SearchStopped', version: 1, time, data: { by: command.data.by } });
    }
  }
}
