import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldCode } from './errors';
import { NOTIFICATION_EVENTS } from './notification-events';
import { validateSubscription } from './validate-subscription';

const CODES = Object.values(FieldCode) as string[];

describe('validate subscription', () => {
  it('validate subscription - a job or a project, known events once each, an http(s) URL without credentials', () => {
    expect(validateSubscription({ project: 'vision', events: ['failed'], url: 'https://hooks.example/ty', description: '  ops  ' })).toEqual({
      ok: true, request: { project: 'vision', events: ['failed'], url: 'https://hooks.example/ty', description: 'ops' },
    });
    const paths = (body: unknown) => {
      const v = validateSubscription(body);
      return v.ok ? [] : v.errors.map((e) => `${e.path} ${e.code}`);
    };
    expect(paths({ events: ['started'], url: 'http://h/' })).toEqual(['job REQUIRED']);
    expect(paths({ job: 'j1', project: 'p', events: ['started'], url: 'http://h/' })).toEqual(['project CONFLICTING_FIELDS']);
    expect(paths({ job: 'a.b', events: [], url: 'mailto:x@y' })).toEqual(['job INVALID_FORMAT', 'events INVALID_TYPE', 'url INVALID_FORMAT']);
    expect(paths({ project: 'p', events: ['started', 'ended', 'started'], url: 'http://u:p@h/' })).toEqual(['events[1] INVALID_FORMAT', 'events[2] DUPLICATE', 'url FORBIDDEN_VALUE']);
    expect(paths({ project: 'p', events: ['started'], url: 'http://h/', secret: 'short', hook: 1 })).toEqual(['hook UNKNOWN_FIELD', 'secret INVALID_FORMAT']);
    expect(paths({ project: 'p', events: ['started'], url: 'http://h/', description: 'x\u0000' })).toEqual(['description INVALID_TEXT']);
    expect(paths([])).toEqual([' INVALID_TYPE']);
  });

  it('validate subscription - any JSON value is answered, never thrown at; errors carry known codes and name a field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.record({ job: fc.string(), project: fc.string(), events: fc.array(fc.string()), url: fc.string(), secret: fc.string() }, { requiredKeys: [] })), (body) => {
        const v = validateSubscription(body);
        if (!v.ok) for (const e of v.errors) expect(CODES).toContain(e.code);
        else expect(v.request.events.every((e) => (NOTIFICATION_EVENTS as readonly string[]).includes(e))).toBe(true);
      }),
    );
  });

  it('validate subscription - every non-empty set of the guide events is accepted', () => {
    fc.assert(
      fc.property(fc.subarray([...NOTIFICATION_EVENTS], { minLength: 1 }), (events) => {
        expect(validateSubscription({ project: 'default', events, url: 'http://127.0.0.1:9/x' }).ok).toBe(true);
      }),
    );
  });
});
