import type { JobEventData } from '@trainyard/contracts';
import type { ExistingTrainingJob } from '@trainyard/domain';
import { pendingJobFromSpec, planGangs, type ClusterView } from '@trainyard/scheduling';
import type { HistoryFold } from './history-fold';
import { nodesAt } from './views-at';

/**
 * How the nodes a placement did not use fared for the job at that moment (`nomad job plan`'s
 * "nodes filtered / exhausted"): per node, the first reason the planner's own checkers rejected
 * it for one instance, or that one instance would have fitted.
 */
export interface PlacementCheck {
  pool: string;
  /** Nodes of the pool the placement did not use. */
  others: number;
  /** Those rejected, counted by the planner's named reason (`FilterReason`, or a wait code). */
  rejected: Record<string, number>;
  /** Those where one instance would have fitted. */
  feasible: number;
  /** Per node: its reason, or `FITS`. */
  nodes: Record<string, string>;
}

const SHORT_OF: Record<string, string> = { cpu: 'INSUFFICIENT_CPU', memoryMiB: 'INSUFFICIENT_MEMORY', gpu: 'INSUFFICIENT_GPU', npu: 'INSUFFICIENT_NPU' };

/**
 * Runs the real planner (libs/scheduling `planGangs`) once per unused node of the job's pool, on a
 * view of that node alone as the fold says it was just before the placement, asking it to place one
 * instance of the job: what it refuses is the reason that node was not chosen. `fold` must stand at
 * the commit before the job's JobScheduled.
 */
export function checkPlacement(fold: HistoryFold, job: ExistingTrainingJob, scheduled: JobEventData['JobScheduled']): PlacementCheck {
  const pending = pendingJobFromSpec(job.jobId, job.spec, { queuedSeq: 1, priority: job.priority });
  const used = new Set(scheduled.placements.map((p) => p.nodeId));
  const candidates = nodesAt(fold).filter((n) => n.pool === pending.pool && !used.has(n.id));
  const check: PlacementCheck = { pool: pending.pool, others: candidates.length, rejected: {}, feasible: 0, nodes: {} };
  const now = fold.time ?? new Date(0).toISOString();
  for (const n of candidates) {
    const view: ClusterView = {
      now,
      nodes: [{ id: n.id, host: n.host, pool: n.pool, capacity: n.capacity, used: n.used, labels: n.labels, schedulable: n.schedulable }],
      queue: [{ ...pending, nodeCount: 1, ...(pending.affinityGroupSize ? { affinityGroupSize: 1 } : {}) }],
      running: [],
    };
    // No holds: the question is whether the node had room, not whether capacity could be held.
    const plan = planGangs(view, { reservationTtlMs: 0, reservationBackoffMs: 0 });
    let reason = 'FITS';
    if (plan.place.length === 0) {
      const w = plan.waiting[0];
      // A node alone that is too full is told as a shortfall (its deficit), not always as a filter count.
      const short = w && 'deficit' in w ? Object.keys(w.deficit ?? {})[0] : undefined;
      reason = (w && Object.keys(w.filtered ?? {})[0]) ?? (short ? SHORT_OF[short] : undefined) ?? w?.reason ?? 'NOT_PLACED';
    }
    check.nodes[n.id] = reason;
    if (reason === 'FITS') check.feasible++;
    else check.rejected[reason] = (check.rejected[reason] ?? 0) + 1;
  }
  return check;
}
