import type { RunningJob } from '../cluster-view';
import { DEFAULT_PROJECT, type PastUsage } from './quota-policy';

/**
 * Folds what projects hold now into their decayed past usage (`QuotaPolicy.usage`): over `elapsedMs`
 * the old average weighs 2^(−elapsed / halfLife) and what is held meanwhile the rest — an
 * exponentially decayed average of allocation, so usage one half-life ago counts half (Slurm's
 * `PriorityDecayHalfLife`). Pure: the service calls it every pass with the time since the last one.
 *
 * @example
 * ```ts
 * usage = decayUsage(usage, holdings(view.running), 10_000, 7 * 24 * 3_600_000);
 * planGangs({ ...view, quotas: { quotas, usage } });
 * ```
 */
export function decayUsage(past: readonly PastUsage[], held: readonly PastUsage[], elapsedMs: number, halfLifeMs: number): PastUsage[] {
  const keep = halfLifeMs > 0 ? 2 ** (-Math.max(0, elapsedMs) / halfLifeMs) : 0;
  const out = new Map<string, PastUsage>();
  const key = (u: PastUsage) => `${u.pool}\u0000${u.project}`;
  for (const u of past) out.set(key(u), { project: u.project, pool: u.pool, cpu: (u.cpu ?? 0) * keep, memoryMiB: (u.memoryMiB ?? 0) * keep, gpu: (u.gpu ?? 0) * keep, npu: (u.npu ?? 0) * keep });
  for (const h of held) {
    const u = out.get(key(h)) ?? { project: h.project, pool: h.pool, cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
    u.cpu = u.cpu! + (h.cpu ?? 0) * (1 - keep);
    u.memoryMiB = u.memoryMiB! + (h.memoryMiB ?? 0) * (1 - keep);
    u.gpu = u.gpu! + (h.gpu ?? 0) * (1 - keep);
    u.npu = u.npu! + (h.npu ?? 0) * (1 - keep);
    out.set(key(h), u);
  }
  // Forget what has decayed to nothing, so the list does not grow with every project ever seen.
  return [...out.values()].filter((u) => (u.cpu ?? 0) + (u.memoryMiB ?? 0) + (u.gpu ?? 0) + (u.npu ?? 0) > 1e-9);
}

/** What each project holds now, per pool (every task of every running job). */
export function holdings(running: readonly RunningJob[]): PastUsage[] {
  const out = new Map<string, PastUsage>();
  for (const r of running) {
    const project = r.project ?? DEFAULT_PROJECT;
    const k = `${r.pool}\u0000${project}`;
    const u = out.get(k) ?? { project, pool: r.pool, cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
    const n = r.nodeIds.length;
    u.cpu = u.cpu! + r.flavor.cpu * n;
    u.memoryMiB = u.memoryMiB! + r.flavor.memoryMiB * n;
    u.gpu = u.gpu! + (r.flavor.gpu ?? 0) * n;
    u.npu = u.npu! + (r.flavor.npu ?? 0) * n;
    out.set(k, u);
  }
  return [...out.values()];
}
