import type { SearchView } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { formatSearch, formatSearches } from './format-search';

const view: SearchView = {
  id: 's1', name: 'quad', project: 'default', description: null, algorithm: 'tpe_search', algorithmParameters: { num_samples: 2, gamma: 0.25 },
  metric: { name: 'loss', direction: 'minimize', regex: 'loss=(.+)' }, parallelTrials: 2, status: 'completed', trialsStarted: 2, trialsEnded: 2, numSamples: 2,
  best: { trial: 2, value: 1.0123456, values: { x: 1.4, o: 'adam' }, jobId: 's1-t2' }, createdAt: '2026-12-03T12:00:00Z', createdBy: 'user:ada', endedAt: null, stoppedBy: null,
  parameters: [], earlyStopping: null,
  trials: [
    { trial: 1, jobId: 's1-t1', values: { x: -3, o: 'sgd' }, status: 'failed', value: null, reports: 0, lastReport: null, reason: 'its job is failed', startedAt: '', endedAt: null },
    { trial: 2, jobId: 's1-t2', values: { x: 1.4, o: 'adam' }, status: 'completed', value: 1.0123456, reports: 3, lastReport: { step: 3, value: 1.0123456 }, reason: null, startedAt: '', endedAt: null },
  ],
};

describe('yard search - output', () => {
  it('formatSearch - the search, its best trial, one row per trial', () => {
    const out = formatSearch(view);
    expect(out).toContain('Best:       trial 2 (job s1-t2): loss=1.01235  x=1.4 o=adam');
    expect(out).toMatch(/Status:\s+completed; 2 of 2 trials ended, 2 at once/);
    expect(out.split('\n').find((l) => l.startsWith('1 '))).toMatch(/^1\s+failed\s+-\s+0\s+x=-3 o=sgd\s+s1-t1\s+its job is failed$/);
  });

  it('formatSearches - one row per search with its progress and best', () => {
    expect(formatSearches([view])).toMatch(/s1\s+quad\s+default\s+tpe_search\s+completed\s+2\/2\s+1\.01235 \(trial 2\)/);
    expect(formatSearches([])).toBe('No searches.\n');
  });
});
