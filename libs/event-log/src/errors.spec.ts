import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { EventLogUnavailable, NatsUnreachable, StreamMissing, StreamVersionConflict, toEventLogError } from './errors';

const apiError = (err_code: number, description: string, code = 400) => new JetStreamApiError({ code, err_code, description });

describe('toEventLogError', () => {
  it('errors - wrong last sequence on an append becomes StreamVersionConflict with the actual version', () => {
    const cause = apiError(10071, 'wrong last sequence: 12');
    const err = toEventLogError(cause, 'append', { subject: 'ty.ev.job.j1', expected: 9 });
    expect(err).toBeInstanceOf(StreamVersionConflict);
    expect(err).toMatchObject({ subject: 'ty.ev.job.j1', expected: 9, actual: 12, code: 'CONFLICT', retryable: true, cause });
  });

  it('errors - timeouts, lost connections and missing JetStream become EventLogUnavailable', () => {
    for (const cause of [new errors.TimeoutError(), new errors.ClosedConnectionError(), apiError(10008, 'jetstream unavailable', 503)]) {
      const err = toEventLogError(cause, 'read ty.ev.job.j1');
      expect(err).toBeInstanceOf(EventLogUnavailable);
      expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true, cause });
    }
  });

  it('errors - a missing stream is StreamMissing (an outage, code STREAM_MISSING), not retryable, saying why', () => {
    const err = toEventLogError(apiError(10059, 'stream not found', 404), 'read');
    expect(err).toBeInstanceOf(StreamMissing);
    expect(err).toBeInstanceOf(EventLogUnavailable);
    expect(err).toMatchObject({ code: 'STREAM_MISSING', retryable: false, message: expect.stringContaining('lost or replaced') });
  });

  it('errors - anything else passes through untouched', () => {
    const other = new Error('bug');
    expect(toEventLogError(other, 'append')).toBe(other);
    const conflictOutsideAppend = apiError(10071, 'wrong last sequence: 1');
    expect(toEventLogError(conflictOutsideAppend, 'read')).toBe(conflictOutsideAppend);
  });

  it('errors - NatsUnreachable says how to start a local server', () => {
    const err = new NatsUnreachable('nats://127.0.0.1:4222');
    expect(err.message).toContain('start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server');
    expect(err.message).toContain('-js -sd /var/lib/nats-server');
  });
});
