import { describe, expect, it } from 'vitest';
import { type SearchEvent, evolveSearch, initialSearch, type Search, type SearchState } from './search';
import { decideSearch } from './search.decide';

const T = '2026-12-03T12:00:00.000Z';
const spec = { kind: 'search', metadata: { name: 'q', project: 'default' }, search: { algorithm: 'tpe_search', algorithmParameters: { num_samples: 3 }, metric: { name: 'loss', direction: 'minimize', regex: 'loss=(.+)' }, parameters: [{ name: 'x', type: 'float', min: 0, max: 1 }], parallelTrials: 2 }, job: {} } as const;
const ev = <E extends SearchEvent>(type: E['type'], data: E['data']) => ({ type, version: 1, time: T, data }) as SearchEvent;
const fold = (events: SearchEvent[]) => events.reduce(evolveSearch, initialSearch() as SearchState) as Search;
const created = ev('SearchCreated', { searchId: 's1', spec: spec as never, caller: { id: 'user:ada', permissions: ['job:submit'] }, seed: 7 });

describe('search fold', () => {
  it('evolveSearch - trials start, report, end; repeats change nothing', () => {
    const started = ev('TrialStarted', { trial: 1, jobId: 's1-t1', values: { x: 0.5 } });
    const r1 = ev('TrialReported', { trial: 1, attempt: 1, step: 1, value: 3, line: 4 });
    const end = ev('TrialEnded', { trial: 1, outcome: 'completed', value: 2 });
    const s = fold([created, started, started, r1, r1, ev('TrialReported', { trial: 1, attempt: 1, step: 2, value: 2, line: 9 }), end, ev('TrialEnded', { trial: 1, outcome: 'failed' })]);
    expect(s.trials).toHaveLength(1);
    expect(s.trials[0]).toMatchObject({ status: 'completed', value: 2, attempt: 1, reports: [{ step: 1, value: 3, line: 4 }, { step: 2, value: 2, line: 9 }] });
  });

  it('evolveSearch - a new attempt of a trial’s job starts its reports again; an older one is ignored', () => {
    const s = fold([
      created, ev('TrialStarted', { trial: 1, jobId: 's1-t1', values: { x: 0.5 } }),
      ev('TrialReported', { trial: 1, attempt: 1, step: 1, value: 3, line: 4 }),
      ev('TrialReported', { trial: 1, attempt: 2, step: 1, value: 5, line: 2 }),
      ev('TrialReported', { trial: 1, attempt: 1, step: 2, value: 1, line: 8 }),
    ]);
    expect(s.trials[0].reports).toEqual([{ step: 1, value: 5, line: 2 }]);
  });

  it('evolveSearch - a stop makes it stopping until it ends; pruning marks the trial', () => {
    const s = fold([created, ev('TrialStarted', { trial: 1, jobId: 's1-t1', values: { x: 0.5 } }), ev('TrialPruned', { trial: 1, step: 2, value: 9, median: 1 }), ev('SearchStopped', { by: 'user:ada' })]);
    expect(s.status).toBe('stopping');
    expect(s.trials[0].status).toBe('pruning');
    expect(fold([created, ev('SearchStopped', { by: 'user:ada' }), ev('SearchEnded', { outcome: 'stopped', trials: 0 })]).status).toBe('stopped');
  });

  it('decideSearch - created once; a stop only while it runs', () => {
    const cmd = { type: 'CreateSearch' as const, data: { searchId: 's1', spec: spec as never, caller: { id: 'user:ada', permissions: [] }, seed: 7 }, metadata: { now: T } };
    expect(decideSearch(cmd, initialSearch()).ok).toBe(true);
    const again = decideSearch(cmd, fold([created]));
    expect(!again.ok && again.rejection.code).toBe('CONFLICT');
    const stop = { type: 'StopSearch' as const, data: { searchId: 's1', by: 'user:ada' }, metadata: { now: T } };
    expect(decideSearch(stop, fold([created])).ok).toBe(true);
    const twice = decideSearch(stop, fold([created, ev('SearchStopped', { by: 'user:ada' })]));
    expect(!twice.ok && twice.rejection.code).toBe('ILLEGAL_STATE');
    const none = decideSearch(stop, initialSearch());
    expect(!none.ok && none.rejection.code).toBe('NOT_FOUND');
  });
});
