import type { ApiClient } from './api-client';
import type { LogSearchHit } from '@trainyard/contracts';

/** `worker-1:42: text` — where a hit is, then the line, like `grep -n` over several files. */
export const formatSearchHit = (h: LogSearchHit): string => `${h.task}:${h.seq}: ${h.text.endsWith('\n') ? h.text.slice(0, -1) : h.text}\n`;

/**
 * Searches a job's logs page by page (`next` cursor) and hands every hit to `hit`; stops after `max`
 * hits. Returns how many there were.
 */
export async function grepLogs(
  client: Pick<ApiClient, 'searchLogs'>,
  id: string,
  q: { pattern: string; regex: boolean; ignoreCase: boolean; task?: string; attempt?: number; max: number },
  hit: (h: LogSearchHit) => void,
): Promise<number> {
  let after: string | undefined;
  let n = 0;
  for (;;) {
    const page = await client.searchLogs(id, {
      q: q.pattern, regex: q.regex || undefined, ignoreCase: q.ignoreCase || undefined, task: q.task, attempt: q.attempt,
      limit: Math.min(1000, q.max - n), after,
    });
    for (const h of page.items) {
      hit(h);
      n++;
    }
    if (!page.next || n >= q.max || page.items.length === 0) return n;
    after = page.next;
  }
}
