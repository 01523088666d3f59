import { describe, expect, it } from 'vitest';
import { formatDeliveries, formatSubscriptions } from './format-notify';

describe('yard notify - tables', () => {
  it('formatSubscriptions - scope, events and URL per row; an empty list says so', () => {
    expect(formatSubscriptions([])).toBe('No notification subscriptions.\n');
    const out = formatSubscriptions([
      { id: 's1', scope: 'job', jobId: 'j1', project: 'p', events: ['started', 'failed'], url: 'http://h/x', description: null, createdAt: '', createdBy: 'user:a', fromSeq: 3 },
      { id: 's2', scope: 'project', jobId: null, project: 'p', events: ['completed'], url: 'https://h/y', description: 'd', createdAt: '', createdBy: 'user:b', fromSeq: 4 },
    ]);
    expect(out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['ID', 'SCOPE', 'EVENTS', 'URL', 'CREATED BY'],
      ['s1', 'job j1', 'started,failed', 'http://h/x', 'user:a'],
      ['s2', 'project p', 'completed', 'https://h/y', 'user:b'],
    ]);
  });

  it('formatDeliveries - the last answer (status or error), the next try only while pending', () => {
    const at = '2026-12-03T06:00:00.000Z';
    const out = formatDeliveries([
      { key: 's.9.0', subscriptionId: 's', jobId: 'j', event: 'failed', seq: 9, status: 'pending', createdAt: at, nextAttemptAt: '2026-12-03T06:00:04.000Z', deliveredAt: null,
        attempts: [{ attempt: 1, at, statusCode: null, outcome: 'retry', error: 'ECONNREFUSED', durationMs: 1 }] },
      { key: 's.5.1', subscriptionId: 's', jobId: 'j', event: 'started', seq: 5, status: 'delivered', createdAt: at, nextAttemptAt: null, deliveredAt: at,
        attempts: [{ attempt: 1, at, statusCode: 503, outcome: 'retry', error: 'HTTP 503', durationMs: 2 }, { attempt: 2, at, statusCode: 200, outcome: 'delivered', error: null, durationMs: 2 }] },
    ]);
    expect(out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['EVENT', 'JOB', 'SEQ', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT', 'KEY'],
      ['failed', 'j', '9', 'pending', '1', 'ECONNREFUSED', '2026-12-03T06:00:04.000Z', 's.9.0'],
      ['started', 'j', '5', 'delivered', '2', 'HTTP 200', '-', 's.5.1'],
    ]);
  });
});
