import { withDefaults, type TrainingJobSpec } from '@trainyard/contracts';
import type { PendingJob } from '../cluster-view';

/**
 * The planner's view of a submitted job, from its spec: what the service's view builder and
 * `admissionCheck` need. Defaults are applied (`withDefaults`), so a raw spec works too.
 *
 * @example
 * ```ts
 * queue.push(pendingJobFromSpec(jobId, job.spec, { priority: job.priority, queuedSeq, requeued: !!job.requeue }));
 * ```
 */
export function pendingJobFromSpec(
  jobId: string,
  spec: TrainingJobSpec,
  at: { queuedSeq: number; priority?: number; requeued?: boolean; project?: string },
): PendingJob {
  const s = withDefaults(spec).spec;
  return {
    jobId,
    priority: at.priority ?? s.priority ?? 1,
    queuedSeq: at.queuedSeq,
    pool: s.resource.pool ?? 'default',
    flavor: s.resource.flavor,
    nodeCount: s.resource.nodeCount ?? 1,
    ...(at.requeued ? { requeued: true } : {}),
    ...(s.resource.affinityGroupSize !== undefined ? { affinityGroupSize: s.resource.affinityGroupSize } : {}),
    ...(s.nodeAffinity?.length ? { nodeAffinity: s.nodeAffinity } : {}),
    ...(s.maxRunHours !== undefined ? { maxRunHours: s.maxRunHours } : {}),
    ...(s.preemptible ? { preemptible: true } : {}),
    ...(at.project !== undefined ? { project: at.project } : {}),
  };
}

/**
 * The project a job is charged to (quotas, fair share): its spec's `metadata.project` (issue 11);
 * undefined when it names none (the planner's `default`). The live scheduler's view and the
 * history replay both read it here, so the simulator plans with the same input.
 */
export function specProject(spec: TrainingJobSpec): string | undefined {
  const p = (spec.metadata as { project?: unknown }).project;
  return typeof p === 'string' && p !== '' ? p : undefined;
}
