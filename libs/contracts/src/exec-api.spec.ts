import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXEC_LIMITS, validateExecBody } from './exec-api';

describe('exec body (issue 15)', () => {
  it('takes an argv and a time-out in range; the time-out defaults to 30 s', () => {
    expect(validateExecBody({ command: ['id', '-u'] })).toEqual({ ok: true, command: ['id', '-u'], timeoutMs: 30_000 });
    expect(validateExecBody({ command: ['sleep', '1'], timeoutSeconds: 600 })).toMatchObject({ ok: true, timeoutMs: 600_000 });
  });

  it('names the field at fault', () => {
    const paths = (b: unknown) => {
      const r = validateExecBody(b);
      return r.ok ? [] : r.errors.map((e) => `${e.path}:${e.code}`);
    };
    expect(paths({})).toEqual(['command:REQUIRED']);
    expect(paths({ command: [] })).toEqual(['command:REQUIRED']);
    expect(paths({ command: 'id -u' })).toEqual(['command:INVALID_TYPE']);
    expect(paths({ command: ['', 'x'] })).toEqual(['command[0]:REQUIRED']);
    expect(paths({ command: ['a', 7] })).toEqual(['command[1]:INVALID_TYPE']);
    expect(paths({ command: ['a', 'x'.repeat(EXEC_LIMITS.maxArgBytes + 1)] })).toEqual(['command[1]:TOO_LONG']);
    expect(paths({ command: Array(EXEC_LIMITS.maxArgs + 1).fill('a') })).toEqual(['command:TOO_MANY']);
    expect(paths({ command: ['a'], timeoutSeconds: 0 })).toEqual(['timeoutSeconds:OUT_OF_RANGE']);
    expect(paths({ command: ['a'], shell: true })).toEqual(['shell:UNKNOWN_FIELD']);
    expect(paths({ command: ['a\u0000'] })).toEqual(['command[0]:INVALID_TEXT']);
  });

  it('property: whatever comes in, an answer and never a throw; an accepted argv is the one given', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        const r = validateExecBody(body);
        if (r.ok) expect(r.command).toEqual((body as { command: string[] }).command);
      }),
    );
  });
});
