import type { RunningJob } from '../cluster-view';
import { DEFAULT_PROJECT, type ProjectQuota, type QuotaAmounts, type QuotaResource } from './quota-policy';

/** What one project holds of its quota in one pool now, per resource its quota names. */
export interface QuotaUsage {
  project: string;
  pool: string;
  /** Held by its running (and dispatched, and stopping) jobs. */
  used: QuotaAmounts;
  /** What of `used` is beyond its guarantee: borrowed from its cohort's idle quota, reclaimable. */
  borrowed: QuotaAmounts;
}

/** How much of `resource` one instance of `job` takes (`gpu/<model>`: only on that model). */
export function amountOfResource(job: Pick<RunningJob, 'flavor'>, resource: QuotaResource): number {
  const [base, model] = resource.split('/', 2);
  const f = job.flavor;
  if (model !== undefined && f.acceleratorType !== model) return 0;
  switch (base) {
    case 'cpu': return f.cpu;
    case 'memoryMiB': return f.memoryMiB;
    case 'gpu': return f.gpu ?? 0;
    case 'npu': return f.npu ?? 0;
    default: return 0;
  }
}

/**
 * Each quota's usage now: every task of the project's jobs in the quota's pool, per resource the
 * quota names (its guarantee or its limit). Pure; the scheduler reports it (`yard quota`, metrics).
 *
 * @example
 * ```ts
 * quotaUsage([{ project: 'a', pool: 'p', guaranteed: { gpu: 8 }, cohort: 'c' }], running)
 * // [{ project: 'a', pool: 'p', used: { gpu: 12 }, borrowed: { gpu: 4 } }]
 * ```
 */
export function quotaUsage(quotas: readonly ProjectQuota[], running: readonly RunningJob[]): QuotaUsage[] {
  const byKey = new Map<string, RunningJob[]>();
  for (const r of running) {
    const k = `${r.pool}\u0000${r.project ?? DEFAULT_PROJECT}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  return quotas.map((q) => {
    const jobs = byKey.get(`${q.pool}\u0000${q.project}`) ?? [];
    const resources = [...new Set([...Object.keys(q.guaranteed), ...Object.keys(q.limit ?? {})])].sort() as QuotaResource[];
    const used: QuotaAmounts = {};
    const borrowed: QuotaAmounts = {};
    for (const res of resources) {
      const u = jobs.reduce((sum, j) => sum + amountOfResource(j, res) * j.nodeIds.length, 0);
      used[res] = u;
      borrowed[res] = Math.max(0, u - (q.guaranteed[res] ?? 0));
    }
    return { project: q.project, pool: q.pool, used, borrowed };
  });
}
