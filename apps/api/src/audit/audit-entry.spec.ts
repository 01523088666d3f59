import type { StoredCommit } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { nodeAuditEntries } from './audit-entry';

const commit = (seq: number, actor: string, minute: number, events: StoredCommit['events']): StoredCommit => ({
  subject: 'ty.ev.node.node-1', seq, meta: { commandId: `c${seq}`, correlationId: `c${seq}`, actor }, events: events.map((e) => ({ ...e, time: new Date(Date.UTC(2026, 2, 1, 8, minute)).toISOString() })),
});
const isolated = { type: 'NodeIsolated', version: 1, time: '', data: { reason: 'operator', by: 'user:ops' } } as any;
const returned = { type: 'NodeReturned', version: 1, time: '', data: { by: 'user:ops', reason: 'fixed' } } as any;
const history = [
  commit(3, 'node:node-1', 0, [{ type: 'NodeRegistered', version: 1, time: '', data: {} } as any]),
  commit(7, 'user:ops', 5, [isolated]),
  commit(9, 'fault-manager', 6, [isolated]),
  commit(12, 'user:ann', 10, [returned]),
];

describe('audit - node entries', () => {
  it("audit - keeps a node's commits by principals, with the node as target and the event text", () => {
    expect(nodeAuditEntries(history, { limit: 10 })).toEqual([
      { seq: 7, time: '2026-03-01T08:05:00.000Z', actor: 'user:ops', target: { kind: 'node', id: 'node-1' }, types: ['NodeIsolated'], message: 'Node isolated (operator)' },
      { seq: 12, time: '2026-03-01T08:10:00.000Z', actor: 'user:ann', target: { kind: 'node', id: 'node-1' }, types: ['NodeReturned'], message: 'Node back in service: fixed' },
    ]);
  });

  it('audit - filters by actor, time window and page cursor', () => {
    expect(nodeAuditEntries(history, { limit: 10, actor: 'user:ann' }).map((e) => e.seq)).toEqual([12]);
    expect(nodeAuditEntries(history, { limit: 10, since: new Date(Date.UTC(2026, 2, 1, 8, 6)) }).map((e) => e.seq)).toEqual([12]);
    expect(nodeAuditEntries(history, { limit: 10, until: new Date(Date.UTC(2026, 2, 1, 8, 10)) }).map((e) => e.seq)).toEqual([7]);
    expect(nodeAuditEntries(history, { limit: 10, beforeSeq: 12 }).map((e) => e.seq)).toEqual([7]);
  });
});
