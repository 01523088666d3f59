import { describeWaitReason, type JobWaitReason, type TaskPlacement } from '@trainyard/contracts';
import type { Plan, WaitCause } from '@trainyard/scheduling';
import { toWaitReason } from './wait-reasons';

/** The id a dry run's job has in the plan (never a real job: ids are UUIDs). */
export const DRY_RUN_JOB_ID = 'dry-run';

/**
 * What a dry run answers (`yard submit --dry-run`, `POST /v1/training-jobs/dry-run`): whether the job
 * would be placed by a pass now, behind every job already waiting, and where; or every reason it
 * would wait and when it is expected to start. Nothing is appended.
 *
 * @example
 * ```json
 * { "placed": false, "pool": "default", "project": "vision", "message": "QUOTA_EXCEEDED (position 1; …)",
 *   "reason": { "code": "QUOTA_EXCEEDED", "shortfalls": [{ "resource": "gpu", "used": 8, "requested": 8, "guaranteed": 8, "limit": 8 }] },
 *   "causes": [{ "kind": "QUOTA", … }, { "kind": "CAPACITY", … }], "estimatedStart": "2026-12-02T20:00:00.000Z" }
 * ```
 */
export interface DryRunVerdict {
  placed: boolean;
  pool: string;
  project: string;
  /** Where each task would go. */
  placements?: TaskPlacement[];
  /** Running jobs it would preempt (`reclaim`: they borrow its project's quota). */
  preempts?: { jobId: string; kind: 'priority' | 'reclaim' }[];
  /** Why it would wait (the deciding reason with its numbers). */
  reason?: JobWaitReason;
  /** Every reason that holds at once. */
  causes?: WaitCause[];
  estimatedStart?: string | null;
  message: string;
}

/** Reads the dry run's job out of a plan that had it queued last. */
export function dryRunVerdict(plan: Pick<Plan, 'place' | 'waiting' | 'preempt'>, at: { pool: string; project: string }): DryRunVerdict {
  const placed = plan.place.find((p) => p.jobId === DRY_RUN_JOB_ID);
  if (placed) {
    const nodes = [...new Set(placed.placements.map((p) => p.nodeId))];
    return { placed: true, ...at, placements: placed.placements, message: `would be placed now on ${nodes.join(', ')}` };
  }
  const w = plan.waiting.find((x) => x.jobId === DRY_RUN_JOB_ID);
  if (!w) return { placed: false, ...at, message: 'not planned: the scheduler has no room to consider it now' };
  const reason = toWaitReason(w);
  const preempts = plan.preempt.filter((p) => p.forJobId === DRY_RUN_JOB_ID).map((p) => ({ jobId: p.victimJobId, kind: p.kind === 'reclaim' ? ('reclaim' as const) : ('priority' as const) }));
  return {
    placed: false, ...at, reason,
    ...(preempts.length ? { preempts } : {}),
    ...(w.causes ? { causes: w.causes } : {}),
    ...(w.estimatedStart !== undefined ? { estimatedStart: w.estimatedStart } : {}),
    message: preempts.length
      ? `would preempt ${preempts.map((p) => `${p.jobId}${p.kind === 'reclaim' ? ' (reclaim)' : ''}`).join(', ')} and start once they stopped`
      : `would wait: ${describeWaitReason(reason)}`,
  };
}
