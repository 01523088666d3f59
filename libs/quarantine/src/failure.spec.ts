import { describe, expect, it } from 'vitest';
import { classifyFailure } from './failure';
import { nextStep, retryPolicy } from './retry-policy';

const pgError = (code: string, message = 'pg says no') => Object.assign(new Error(message), { name: 'DatabaseError', code });

describe('classifyFailure - transient outages and poison messages told apart', () => {
  it('PostgreSQL data and constraint errors are deterministic, by SQLSTATE class', () => {
    for (const code of ['22P05', '22021', '22001', '23505', '23503', '23514', '21000', '54000']) {
      expect(classifyFailure(pgError(code))).toMatchObject({ kind: 'deterministic', final: false, code });
    }
  });

  it('connection, resource, lock, shutdown and schema errors are transient', () => {
    for (const code of ['08006', '08001', '40001', '40P01', '53300', '55P03', '57P01', '57014', '58030', '42P01', '42703', 'XX000']) {
      expect(classifyFailure(pgError(code))).toMatchObject({ kind: 'transient', code });
    }
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toMatchObject({ kind: 'transient', code: 'ECONNREFUSED' });
    expect(classifyFailure(new Error('Connection terminated unexpectedly'))).toMatchObject({ kind: 'transient' });
    expect(classifyFailure(new Error('timeout exceeded when trying to connect'))).toMatchObject({ kind: 'transient' });
  });

  it('errors that call themselves poison are final; retryable ones transient', () => {
    class MalformedCommit extends Error {
      override name = 'MalformedCommit';
      readonly poison = true;
    }
    class EventLogUnavailable extends Error {
      override name = 'EventLogUnavailable';
      readonly retryable = true;
    }
    expect(classifyFailure(new MalformedCommit('not JSON'))).toEqual({ kind: 'deterministic', final: true, code: 'MalformedCommit', message: 'not JSON' });
    expect(classifyFailure(new EventLogUnavailable('no responders'))).toMatchObject({ kind: 'transient', code: 'EventLogUnavailable' });
  });

  it('looks through causes, and says unknown when nothing tells', () => {
    const wrapped = new Error('projecting commit 7 failed', { cause: pgError('22P05', 'unsupported Unicode escape sequence') });
    expect(classifyFailure(wrapped)).toEqual({ kind: 'deterministic', final: false, code: '22P05', message: 'unsupported Unicode escape sequence' });
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'map')"))).toMatchObject({ kind: 'unknown', code: 'TypeError' });
    expect(classifyFailure('a string')).toMatchObject({ kind: 'unknown', code: 'Error', message: 'a string' });
  });
});

describe('nextStep - bounded retries for poison, unbounded for outages', () => {
  const policy = retryPolicy({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 });
  const poison = classifyFailure(pgError('23505'));
  const outage = classifyFailure(pgError('08006'));

  it('a deterministic failure is retried with back-off, then quarantined at maxAttempts', () => {
    expect(nextStep(poison, 1, policy)).toEqual({ action: 'retry', delayMs: 100 });
    expect(nextStep(poison, 2, policy)).toEqual({ action: 'retry', delayMs: 200 });
    expect(nextStep(poison, 3, policy)).toEqual({ action: 'quarantine' });
  });

  it('a transient failure is never quarantined, whatever the attempt count; the back-off is capped', () => {
    expect(nextStep(outage, 1_000_000, policy)).toEqual({ action: 'retry', delayMs: 1_000 });
  });

  it('a final failure is quarantined at once; unknown ones follow the policy', () => {
    expect(nextStep({ ...poison, final: true }, 1, policy)).toEqual({ action: 'quarantine' });
    const unknown = classifyFailure(new TypeError('x'));
    expect(nextStep(unknown, 3, policy)).toEqual({ action: 'quarantine' });
    expect(nextStep(unknown, 3, retryPolicy({ unknownIs: 'transient' }))).toMatchObject({ action: 'retry' });
  });
});
