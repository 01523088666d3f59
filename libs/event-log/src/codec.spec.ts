import { event, type CommitMeta } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { commitMsgId, decodeCommit, encodeCommit } from './codec';
import { MalformedCommit } from './errors';

const meta: CommitMeta = { commandId: 'c-1', correlationId: 'corr-1', causationId: 'c-0', actor: 'user:ana' };
const events = [event('JobQueued', '2026-01-01T00:00:00.000Z', { priority: 2 }), event('JobStarted', '2026-01-01T00:00:01.000Z', { attempt: 1 })];
const bytes = (s: string) => new TextEncoder().encode(s);

describe('codec', () => {
  it('codec - a commit round-trips with the subject and sequence the server supplies', () => {
    const stored = decodeCommit('ty.ev.job.j1', 7, encodeCommit(events, meta));
    expect(stored).toEqual({ subject: 'ty.ev.job.j1', seq: 7, events, meta });
  });

  it('codec - the body is plain JSON { events, meta }', () => {
    expect(JSON.parse(new TextDecoder().decode(encodeCommit(events, meta)))).toEqual({ events, meta });
  });

  it.each([
    ['not JSON', '{'],
    ['no events', '{"meta":{}}'],
    ['events not an array', '{"events":{},"meta":{}}'],
    ['no meta', '{"events":[]}'],
    ['an event without type', '{"events":[{"version":1}],"meta":{}}'],
    ['an event without version', '{"events":[{"type":"JobQueued"}],"meta":{}}'],
  ])('codec - %s is a MalformedCommit naming subject and seq', (_what, body) => {
    const err = (() => {
      try {
        decodeCommit('ty.ev.job.j1', 3, bytes(body));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(MalformedCommit);
    expect(err).toMatchObject({ subject: 'ty.ev.job.j1', seq: 3, retryable: false });
  });

  it('codec - message ids are scoped to the subject', () => {
    expect(commitMsgId('ty.ev.job.j1', 'c-1')).not.toBe(commitMsgId('ty.ev.node.n1', 'c-1'));
  });
});
