import type { ClusterView } from './cluster-view';
import type { Plan } from './plan';
import type { PlannerOptions } from './planner-options';
import { PlanSession } from './planning/plan-session';

export { queueOrder } from './queue/queue-order';

/**
 * Plans the whole queue against the cluster: every job is placed whole, held for, preempted for,
 * or told why it waits. Pure: the same view and options give the same plan. The rules (queue
 * order, reservations and backfill, supernode groups, preemption) are in `README.md`.
 *
 * @example
 * ```ts
 * const plan = planGangs(view, { reservationTtlMs: 15 * 60_000, minRunTimeMs: 10 * 60_000 });
 * for (const p of plan.place) commitPlacement(p.jobId, p.placements);
 * for (const p of plan.preempt) preempt(p.victimJobId, p.forJobId);
 * nextView.reservations = plan.reservations;
 * ```
 */
export function planGangs(view: ClusterView, options: Partial<PlannerOptions> = {}): Plan {
  return new PlanSession(view, options).plan();
}
