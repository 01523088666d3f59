import { ErrorCode, TrainyardError } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { parseReportRequest } from './report-request';

const refusal = (f: () => unknown): TrainyardError => {
  try {
    f();
  } catch (err) {
    if (err instanceof TrainyardError) return err;
    throw err;
  }
  throw new Error('not refused');
};
const exited = { jobId: 'j1', data: { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 0, reason: 'exited' } };

describe('report request', () => {
  it('report request - a node reporting about itself is read, the cause reduced to correlation and trace as that node', () => {
    const tp = '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01';
    const { verb, request } = parseReportRequest('n1', 'exited', { ...exited, cause: { commandId: 'c1', correlationId: 'k', actor: 'user:admin', traceparent: tp, audit: { tokenId: 'x' } } });
    expect(verb).toBe('exited');
    expect(request.cause).toEqual({ commandId: 'c1', correlationId: 'k', actor: 'node:n1', traceparent: tp });
  });

  it('report request - data about another node is FORBIDDEN at data.nodeId', () => {
    const e = refusal(() => parseReportRequest('n2', 'exited', exited));
    expect(e.code).toBe(ErrorCode.Forbidden);
    expect(e.details?.map((d) => d.path)).toEqual(['data.nodeId']);
  });

  it('report request - a registration of another node is FORBIDDEN too', () => {
    const e = refusal(() => parseReportRequest('n2', 'register', { commandId: 'register/n1/x', data: { nodeId: 'n1', host: 'h' } }));
    expect(e.code).toBe(ErrorCode.Forbidden);
  });

  it('report request - every bad field at once, with its path', () => {
    const e = refusal(() => parseReportRequest('n1', 'checkpointed', { jobId: 'a.b', data: { nodeId: 'n1' }, stamp: -1, cause: { commandId: 'has space' } }));
    expect(e.code).toBe(ErrorCode.ValidationFailed);
    expect(e.details?.map((d) => d.path).sort()).toEqual(['cause.commandId', 'jobId', 'stamp']);
  });

  it('report request - an unknown verb, a non-object and text PostgreSQL cannot store are refused', () => {
    expect(refusal(() => parseReportRequest('n1', 'assign', exited)).code).toBe(ErrorCode.ValidationFailed);
    expect(refusal(() => parseReportRequest('n1', 'exited', [exited])).details?.[0]?.path).toBe('');
    const nul = refusal(() => parseReportRequest('n1', 'exited', { ...exited, data: { ...exited.data, error: 'a\u0000b' } }));
    expect(nul.details?.map((d) => d.path)).toEqual(['data.error']);
  });

  it('report request - a view names the job and the task', () => {
    expect(parseReportRequest('n1', 'view', { jobId: 'j1', task: 'worker-0' }).request).toMatchObject({ jobId: 'j1', task: 'worker-0' });
    expect(refusal(() => parseReportRequest('n1', 'view', { jobId: 'j1' })).details?.map((d) => d.path)).toEqual(['task']);
  });
});
