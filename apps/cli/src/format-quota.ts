import type { DryRunView, QuotaView } from '@trainyard/contracts';
import { renderTable } from './format';

const n = (v: number | undefined) => (v === undefined ? '-' : String(Math.round(v * 1000) / 1000));

/** One row per project, pool and resource: guaranteed, limit, used now, borrowed now. */
export function formatQuotaTable(items: readonly QuotaView[]): string {
  if (!items.length) return 'No quotas (every pool is unmanaged: jobs run by priority alone).\n';
  const rows = items.flatMap((q) => {
    const resources = [...new Set([...Object.keys(q.guaranteed), ...Object.keys(q.limit ?? {})])].sort();
    return resources.map((r) => [
      q.project, q.pool, q.cohort ?? '-', n(q.weight), r, n(q.guaranteed[r] ?? 0),
      // No limit named: the guarantee without a cohort, the cohort's idle quota within one.
      q.limit?.[r] !== undefined ? n(q.limit[r]) : q.cohort ? 'cohort' : n(q.guaranteed[r] ?? 0),
      q.usage ? n(q.usage.used[r] ?? 0) : '?', q.usage ? n(q.usage.borrowed[r] ?? 0) : '?',
    ]);
  });
  return renderTable(['PROJECT', 'POOL', 'COHORT', 'WEIGHT', 'RESOURCE', 'GUARANTEED', 'LIMIT', 'USED', 'BORROWED'], rows);
}

/** The dry run in words: placed where, or every reason it would wait and the estimate. */
export function formatDryRun(d: DryRunView): string {
  const lines = [`${d.placed ? 'Would be placed now' : 'Would not be placed now'} (pool ${d.pool}, project ${d.project}): ${d.message}`];
  for (const p of d.placements ?? []) lines.push(`  ${p.task} → ${p.nodeId}${p.host ? ` (${p.host})` : ''}`);
  for (const v of d.preempts ?? []) lines.push(`  preempts ${v.jobId}${v.kind === 'reclaim' ? ' (reclaims borrowed quota)' : ''}`);
  for (const c of d.causes ?? []) lines.push(`  because ${causeText(c)}`);
  if (!d.placed && d.estimatedStart !== undefined) lines.push(`  estimated start: ${d.estimatedStart ?? 'unknown (a job it waits for has no expected end)'}`);
  return `${lines.join('\n')}\n`;
}

function causeText(c: { kind: string } & Record<string, unknown>): string {
  switch (c.kind) {
    case 'QUOTA': {
      if (c.noQuota) return 'QUOTA: its project has no quota in this pool';
      const s = (c.shortfalls as { resource: string; used: number; requested: number; guaranteed: number; limit: number | null; cohort?: { name: string; used: number; guaranteed: number } }[]) ?? [];
      const parts = s.map((x) => `${x.resource} needs ${n(x.requested)}, holds ${n(x.used)} of ${n(x.guaranteed)} guaranteed${x.limit !== null ? ` (limit ${n(x.limit)})` : ''}${x.cohort ? `, cohort ${x.cohort.name} holds ${n(x.cohort.used)} of ${n(x.cohort.guaranteed)}` : ''}`);
      return `QUOTA: ${parts.join('; ')}${c.borrowingNeedsPreemptible ? '; only a preemptible job may borrow' : ''}`;
    }
    case 'CAPACITY':
      return `CAPACITY: ${n(c.unplacedInstances as number)} instance(s) without room, short of ${Object.entries((c.deficit as Record<string, number>) ?? {}).map(([k, v]) => `${k} ${n(v)}`).join(', ') || 'room'}`;
    case 'RESERVATION':
      return `RESERVATION: capacity held for ${String(c.heldFor)}`;
    case 'AFFINITY':
      return `AFFINITY: its rules exclude ${n(c.excludedNodes as number)} node(s)`;
    case 'PREEMPTION':
      return `PREEMPTION: waiting for ${((c.victims as string[]) ?? []).join(', ')} to stop`;
    case 'NO_NODES':
      return 'NO_NODES: no schedulable node in the pool';
    default:
      return c.kind;
  }
}
