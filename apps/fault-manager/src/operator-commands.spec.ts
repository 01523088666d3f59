import { TrainyardError } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { toNodeCommand } from './operator-commands';

const NOW = '2026-03-13T10:00:00.000Z';
const body = { commandId: 'c1', nodeId: 'gpu-07', caller: { id: 'user:ops', permissions: [] } };

describe('operator commands - cordon, drain, uncordon as node commands', () => {
  it('maps each verb', () => {
    expect(toNodeCommand('cordon', { ...body, reason: 'fan' }, NOW, 30_000).command).toEqual({ type: 'IsolateNode', data: { reason: 'operator', by: 'user:ops', detail: 'fan' }, metadata: { now: NOW } });
    expect(toNodeCommand('drain', body, NOW, 30_000).command).toEqual({ type: 'DrainNode', data: { by: 'user:ops', graceMs: 30_000 }, metadata: { now: NOW } });
    expect(toNodeCommand('drain', { ...body, graceMs: 500 }, NOW, 30_000).command).toMatchObject({ data: { graceMs: 500 } });
    expect(toNodeCommand('uncordon', body, NOW, 30_000).command).toEqual({ type: 'ReturnNode', data: { by: 'user:ops', reason: 'uncordoned by user:ops' }, metadata: { now: NOW } });
  });

  it('refuses a bad body or verb with VALIDATION_FAILED', () => {
    for (const [verb, raw] of [['cordon', null], ['cordon', { ...body, nodeId: 'a.b' }], ['cordon', { ...body, commandId: '' }], ['explode', body]] as const) {
      expect(() => toNodeCommand(verb, raw, NOW, 1)).toThrow(TrainyardError);
      try {
        toNodeCommand(verb, raw, NOW, 1);
      } catch (err) {
        expect((err as TrainyardError).code).toBe('VALIDATION_FAILED');
      }
    }
  });
});

describe('operator commands - the bus intake holds the text rule', () => {
  const refusal = (raw: unknown) => {
    try {
      toNodeCommand('cordon', raw, NOW, 1);
    } catch (err) {
      return (err as TrainyardError).toBody();
    }
    throw new Error('accepted');
  };

  it('refuses unstorable text anywhere, naming the field, before anything reaches the log', () => {
    expect(refusal({ ...body, reason: 'fan\u0000' }).details).toEqual([expect.objectContaining({ path: 'reason', code: 'INVALID_TEXT' })]);
    expect(refusal({ ...body, caller: { id: 'user:\ud800', permissions: [] } }).details).toEqual([expect.objectContaining({ path: 'caller.id', code: 'INVALID_TEXT' })]);
  });

  it('refuses a command id outside its alphabet (it becomes a Nats-Msg-Id header), an over-long reason, a bad caller', () => {
    expect(refusal({ ...body, commandId: 'a\r\nb' }).details?.[0]).toMatchObject({ path: 'commandId', code: 'INVALID_FORMAT' });
    expect(refusal({ ...body, reason: 'x'.repeat(501) }).details?.[0]).toMatchObject({ path: 'reason', code: 'TOO_LONG' });
    expect(refusal({ ...body, caller: { id: 'u'.repeat(257), permissions: [] } }).details?.[0]).toMatchObject({ path: 'caller.id' });
    expect(toNodeCommand('cordon', { ...body, reason: '中'.repeat(500) }, NOW, 1).body.reason).toHaveLength(500);
  });
});
