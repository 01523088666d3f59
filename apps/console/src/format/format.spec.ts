import { describe, expect, it } from 'vitest';
import { countMatches, splitMatches } from './highlight';
import { deletable, stateLabel, stoppable } from './job-states';
import { formatDuration, runningMs, runTime } from './time';

describe('console format', () => {
  it('console format - the guide labels each state in English and Chinese', () => {
    expect(stateLabel('running')).toEqual(expect.objectContaining({ en: 'Running', zh: '运行中' }));
    expect(stateLabel('failed')).toEqual(expect.objectContaining({ en: 'Failed', zh: '运行失败' }));
    expect(stateLabel('deleted')).toEqual({ en: 'Deleted', zh: '已删除' });
    expect(['creating', 'waiting', 'running', 'terminating', 'completed'].filter(stoppable)).toEqual(['creating', 'waiting', 'running']);
    expect(['running', 'completed', 'failed', 'terminated', 'abnormal', 'deleting'].filter(deletable)).toEqual(['completed', 'failed', 'terminated', 'abnormal']);
  });

  it('console format - durations, run time from start to end or now', () => {
    expect([0, 45_000, 185_000, 7_620_000, 3 * 86_400_000 + 4 * 3_600_000].map(formatDuration)).toEqual(['0s', '45s', '3m 05s', '2h 07m', '3d 4h']);
    const t0 = Date.UTC(2026, 0, 1);
    expect(runTime({ startedAt: null, endedAt: null }, t0)).toBe('—');
    expect(runTime({ startedAt: new Date(t0).toISOString(), endedAt: null }, t0 + 90_000)).toBe('1m 30s');
  });

  it('console format - running time sums the runs and leaves out the time queued again (L9071-9072)', () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();
    const events = [
      { type: 'JobCreated', time: at(0) }, { type: 'JobStarted', time: at(10) },
      { type: 'JobQueued', time: at(40), data: { requeue: 'preemption' } }, { type: 'JobStarted', time: at(100) }, { type: 'JobSucceeded', time: at(120) },
    ];
    expect(runningMs(events, Date.UTC(2026, 0, 1) + 999_000)).toBe(50_000);
    expect(runningMs(events.slice(0, 4), Date.UTC(2026, 0, 1) + 105_000)).toBe(35_000);
  });

  it('console format - search marks every occurrence whatever its case', () => {
    expect(splitMatches('Loss=0.1 loss=0.2', 'LOSS')).toEqual([
      { text: 'Loss', match: true }, { text: '=0.1 ', match: false }, { text: 'loss', match: true }, { text: '=0.2', match: false },
    ]);
    expect(splitMatches('abc', '')).toEqual([{ text: 'abc', match: false }]);
    expect(splitMatches('', 'x')).toEqual([{ text: '', match: false }]);
    expect(countMatches('aaaa', 'aa')).toBe(2);
  });
});
