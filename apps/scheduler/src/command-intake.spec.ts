import { INPUT_LIMITS, TrainyardError } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { parseCommand } from './command-intake';

const good = { commandId: 'idem-1', jobId: 'j-1', caller: { id: 'user:local', permissions: ['job:setHighPriority'] } };

function refusal(raw: unknown, bytes = 0) {
  try {
    parseCommand(raw, bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(TrainyardError);
    return (err as TrainyardError).toBody();
  }
  throw new Error('accepted');
}
const paths = (raw: unknown) => refusal(raw).details?.map((d) => [d.path, d.code]);

describe('scheduler command intake - anything may publish on ty.cmd.*', () => {
  it('takes a well-formed envelope', () => {
    expect(parseCommand({ ...good, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, 200).commandId).toBe('idem-1');
  });

  it('refuses unstorable text anywhere in the command, the spec included, with the path into the command', () => {
    expect(paths({ ...good, spec: { algorithm: { command: '\u0000' } } })).toEqual([['spec.algorithm.command', 'INVALID_TEXT']]);
    expect(paths({ ...good, caller: { id: 'u\u0000', permissions: [] } })).toEqual([['caller.id', 'INVALID_TEXT']]);
    expect(paths({ ...good, spec: JSON.parse('{"__proto__":{}}') })).toEqual([['spec.__proto__', 'FORBIDDEN_KEY']]);
  });

  it('refuses a command larger than commandBytes before looking into it', () => {
    expect(refusal(good, INPUT_LIMITS.commandBytes + 1).details).toEqual([expect.objectContaining({ path: '', code: 'TOO_LONG' })]);
  });

  it('holds the envelope to its formats and bounds: ids, trace context, caller', () => {
    expect(paths({ ...good, commandId: 'a\r\nNats-Msg-Id: x' })).toEqual([['commandId', 'INVALID_FORMAT']]);
    expect(paths({ ...good, jobId: 'ty.ev.job.x' })).toEqual([['jobId', 'INVALID_FORMAT']]);
    expect(paths({ ...good, traceparent: 'not-a-trace' })).toEqual([['traceparent', 'INVALID_FORMAT']]);
    expect(paths({ ...good, caller: { id: 'u'.repeat(257), permissions: [] } })).toEqual([['caller.id', 'TOO_LONG']]);
    expect(paths({ ...good, caller: { id: 'u', permissions: Array.from({ length: 65 }, (_, i) => `p${i}`) } })).toEqual([['caller.permissions', 'TOO_MANY']]);
    expect(paths({ ...good, caller: 'root' })).toEqual([['caller', 'REQUIRED']]);
    expect(paths([good])).toEqual([['', 'INVALID_TYPE']]);
  });
});
