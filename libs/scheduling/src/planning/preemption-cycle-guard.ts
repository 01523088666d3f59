import type { PreemptionCycle } from '../plan';
import type { PastPreemption } from '../quota/quota-policy';

/**
 * Stops preemption loops (Kueue #6861: workloads preempted over 100 times). A job may not preempt a
 * job that preempted it less than `windowMs` ago: A preempts B, then B may not preempt A back until
 * the window has passed. The rules already make most loops impossible (a strictly higher priority,
 * reclaim only by a project within its guarantee); the guard is what holds when they do not — e.g.
 * a guarantee lowered between the two preemptions. Each stop is reported (`plan.cyclesPrevented`).
 */
export class PreemptionCycleGuard {
  private readonly preemptedBy = new Map<string, Set<string>>();
  readonly prevented: PreemptionCycle[] = [];
  private readonly seen = new Set<string>();

  constructor(history: readonly PastPreemption[], now: number, windowMs: number) {
    for (const p of history) {
      const at = Date.parse(p.at);
      if (!(now - at < windowMs)) continue;
      const by = this.preemptedBy.get(p.victimJobId);
      if (by) by.add(p.forJobId);
      else this.preemptedBy.set(p.victimJobId, new Set([p.forJobId]));
    }
  }

  get empty(): boolean {
    return this.preemptedBy.size === 0;
  }

  /** `victim` preempted `jobId` within the window: stopping it for `jobId` closes a cycle (recorded). */
  closesCycle(jobId: string, victim: string): boolean {
    if (!this.preemptedBy.get(jobId)?.has(victim)) return false;
    const key = `${jobId}\u0000${victim}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.prevented.push({ jobId, victimJobId: victim });
    }
    return true;
  }
}
