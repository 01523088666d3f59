import { PayloadTooLargeException } from '@nestjs/common';
import { ErrorCode, TrainyardError } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { toHttp } from './http-error.filter';

describe('http errors - one mapping to status and stable code', () => {
  it('maps the outage codes to 503 and keeps them', () => {
    expect(toHttp(new TrainyardError(ErrorCode.StreamMissing, 'TY_EVENTS is gone'))).toMatchObject({ status: 503, body: { code: 'STREAM_MISSING' } });
    // An infrastructure error (the event log's) that carries a known code.
    const logError = Object.assign(new Error('append to ty.ev.job.j: stream TY_EVENTS not found'), { code: 'STREAM_MISSING' });
    expect(toHttp(logError)).toEqual({ status: 503, body: { code: 'STREAM_MISSING', message: logError.message } });
  });

  it('gives refusals of the body as a whole a detail at the root path', () => {
    expect(toHttp(new PayloadTooLargeException())).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', details: [{ path: '', code: 'TOO_LONG' }] } });
    const notJson = Object.assign(new Error("Body is not valid JSON but content-type is set to 'application/json'"), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect(toHttp(notJson)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', details: [{ path: '', code: 'INVALID_FORMAT' }] } });
    expect(toHttp(Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 }))).toMatchObject({ status: 415, body: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('hides the message of an unknown failure', () => {
    expect(toHttp(new Error('secret internals'))).toEqual({ status: 500, body: { code: 'INTERNAL', message: 'internal error' } });
  });
});
