import { describe, expect, it } from 'vitest';
import { ApiError, ApiProtocolError, ApiUnreachableError, classifyFetchFailure } from './api-errors';
import { CliError, UsageError } from './cli-error';
import { renderError } from './render-error';

describe('errors - rendering', () => {
  it('prints the code, the message and one line per field detail', () => {
    const err = new ApiError(400, 'VALIDATION_FAILED', 'the job spec is invalid', [
      { path: 'metadata.name', code: 'INVALID_FORMAT', message: 'must match ^[A-Za-z0-9_-]{1,64}$', rule: 'V1' },
      { path: 'spec.priority', code: 'OUT_OF_RANGE', message: 'must be 1 to 3' },
    ]);
    expect(renderError(err)).toEqual({
      exitCode: 1,
      text:
        'error VALIDATION_FAILED: the job spec is invalid\n' +
        '  metadata.name: must match ^[A-Za-z0-9_-]{1,64}$ (INVALID_FORMAT) [V1]\n' +
        '  spec.priority: must be 1 to 3 (OUT_OF_RANGE)\n',
    });
  });

  it('names the URL it tried and how to start a local cluster when nothing listens', () => {
    const { text, exitCode } = renderError(new ApiUnreachableError('http://127.0.0.1:8080/v1/nodes', 'refused', 'connection refused'));
    expect(exitCode).toBe(1);
    expect(text.split('\n')[0]).toBe('error UNREACHABLE: cannot reach the Trainyard API at http://127.0.0.1:8080/v1/nodes (connection refused)');
    expect(text).toContain('`npm start` starts a local cluster');
  });

  it('renders local errors with their exit code', () => {
    expect(renderError(new UsageError('bad flag'))).toEqual({ text: 'error USAGE: bad flag\n', exitCode: 2 });
    expect(renderError(new CliError('TIMEOUT', 'too slow', 124))).toEqual({ text: 'error TIMEOUT: too slow\n', exitCode: 124 });
    expect(renderError(new ApiProtocolError('http://x', 'not JSON')).text).toBe('error BAD_RESPONSE: not JSON\n');
    expect(renderError(new Error('boom'))).toEqual({ text: 'error INTERNAL: boom\n', exitCode: 1 });
  });
});

describe('errors - classifying fetch failures', () => {
  const fetchFailed = (cause: unknown) => Object.assign(new TypeError('fetch failed'), { cause });

  it('finds ECONNREFUSED directly or inside an AggregateError (one error per address)', () => {
    const direct = classifyFetchFailure('http://a', fetchFailed(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })));
    expect(direct).toMatchObject({ reason: 'refused', detail: 'connection refused', url: 'http://a' });
    const both = new AggregateError([Object.assign(new Error('v6'), { code: 'ECONNREFUSED' }), Object.assign(new Error('v4'), { code: 'ECONNREFUSED' })]);
    expect(classifyFetchFailure('http://localhost', fetchFailed(both)).reason).toBe('refused');
  });

  it('recognises unknown hosts, timeouts and anything else', () => {
    expect(classifyFetchFailure('u', fetchFailed(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).reason).toBe('not-found');
    expect(classifyFetchFailure('u', new DOMException('t', 'TimeoutError')).reason).toBe('timeout');
    expect(classifyFetchFailure('u', fetchFailed(new Error('socket hang up')))).toMatchObject({ reason: 'network', detail: 'socket hang up' });
  });

  it('an https certificate it cannot verify is untrusted, and the message says where a CA goes', () => {
    const failure = classifyFetchFailure('https://a', fetchFailed(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })));
    expect(failure).toMatchObject({ reason: 'untrusted', detail: 'certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    const text = renderError(failure).text;
    expect(text.split('\n')[0]).toBe('error TLS_UNTRUSTED: the Trainyard API at https://a shows a certificate this CLI does not trust (certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE)');
    expect(text).toContain('yard login --ca FILE');
  });
});
