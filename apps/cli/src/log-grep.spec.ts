import { describe, expect, it } from 'vitest';
import type { LogSearchPage } from '@trainyard/contracts';
import { formatSearchHit, grepLogs } from './log-grep';

const hit = (task: string, seq: number) => ({ task, attempt: 1, seq, ts: '2026-03-13T10:00:00Z', stream: 'stdout', text: `loss at ${seq}` });

describe('log grep', () => {
  it('log grep - follows the next cursor across pages, up to the maximum, and prints task:line: text', async () => {
    const pages: LogSearchPage[] = [
      { items: [hit('worker-0', 1), hit('worker-0', 9)], next: 'worker-0:1:9' },
      { items: [hit('worker-1', 3)], next: null },
    ];
    const asked: unknown[] = [];
    const client = { searchLogs: async (_id: string, q: unknown) => (asked.push(q), pages[asked.length - 1]) };
    const out: string[] = [];
    const n = await grepLogs(client, 'j1', { pattern: 'loss', regex: false, ignoreCase: true, max: 100 }, (h) => out.push(formatSearchHit(h)));
    expect(n).toBe(3);
    expect(out).toEqual(['worker-0:1: loss at 1\n', 'worker-0:9: loss at 9\n', 'worker-1:3: loss at 3\n']);
    expect(asked).toEqual([
      { q: 'loss', regex: undefined, ignoreCase: true, task: undefined, attempt: undefined, limit: 100, after: undefined },
      { q: 'loss', regex: undefined, ignoreCase: true, task: undefined, attempt: undefined, limit: 98, after: 'worker-0:1:9' },
    ]);
    const one = { searchLogs: async () => ({ items: [hit('worker-0', 1)], next: 'worker-0:1:1' }) };
    expect(await grepLogs(one, 'j1', { pattern: 'x', regex: true, ignoreCase: false, max: 1 }, () => undefined)).toBe(1);
  });
});
