import { type AuditEntry, type CommitMeta, eventText, type StoredCommit } from '@trainyard/contracts';
import { isPrincipalActor, type JobAuditQuery } from '@trainyard/db';

/** `GET /v1/audit`'s row is the contract's `AuditEntry` (http-api.ts); the actor is all there is until issue 11. */
export type { AuditEntry };

export interface AuditQuery extends JobAuditQuery {
  nodeId?: string;
}

/** The commit's audit metadata (issue 11) as entry fields: token id, source address, user agent. */
export function auditFields(meta: CommitMeta): Pick<AuditEntry, 'tokenId' | 'source' | 'userAgent'> {
  const a = meta.audit;
  return { ...(a?.tokenId ? { tokenId: a.tokenId } : {}), ...(a?.source ? { source: a.source } : {}), ...(a?.userAgent ? { userAgent: a.userAgent } : {}) };
}

/** The principals' commits of one node's history, filtered like the job half (pure). */
export function nodeAuditEntries(commits: readonly StoredCommit[], q: AuditQuery): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const c of commits) {
    const first = c.events[0];
    if (!first || !isPrincipalActor(c.meta.actor)) continue;
    if (q.actor && c.meta.actor !== q.actor) continue;
    if (q.beforeSeq !== undefined && c.seq >= q.beforeSeq) continue;
    const t = Date.parse(first.time);
    if ((q.since && t < q.since.getTime()) || (q.until && t >= q.until.getTime())) continue;
    out.push({
      seq: c.seq,
      time: new Date(t).toISOString(),
      actor: c.meta.actor,
      target: { kind: 'node', id: c.subject.slice(c.subject.lastIndexOf('.') + 1) },
      types: c.events.map((e) => e.type),
      message: eventText(first).en,
      ...auditFields(c.meta),
    });
  }
  return out;
}
