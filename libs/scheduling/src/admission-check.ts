import type { NodeView, PendingJob } from './cluster-view';
import { computeStaticFeasibility } from './feasibility/static-feasibility';
import { PoolIndex } from './index/pool-index';
import { WaitReason, type FilterCounts, type NeverFitsWait } from './plan';
import { DEFAULT_PLANNER_OPTIONS } from './planner-options';
import { toJobRequest } from './queue/job-request';
import { neverFits, nodeReasons } from './planning/wait-reasons';

/** The parts of a job admission looks at: its pool, shape, groups and affinity. */
export type AdmissionJob = Pick<PendingJob, 'pool' | 'flavor' | 'nodeCount' | 'affinityGroupSize' | 'nodeAffinity'>;

/**
 * @example
 * ```ts
 * { ok: false, reason: 'NEVER_FITS', cause: 'AFFINITY_GROUPS_TOO_LARGE', affinityGroups: { needed: 4, allocatable: 3 }, filtered: {} }
 * ```
 */
export type AdmissionResult =
  | { ok: true }
  | { ok: false; reason: typeof WaitReason.NoNodesInPool }
  | ({ ok: false; reason: typeof WaitReason.NeverFits; filtered: FilterCounts } & Omit<NeverFitsWait, 'jobId' | 'position' | 'reason' | 'filtered'>);

/**
 * Could this job ever run in its pool? Checks it against the pool's nodes as registered — all of
 * them, empty, whether heartbeating or not — so the service can refuse at submit a job that would
 * otherwise wait forever: an instance larger than every eligible node, more instances than the
 * empty pool holds, more affinity groups than its supernodes hold (ch13 §7.3), or filters
 * (accelerator type, required affinity) that leave no node.
 *
 * @example
 * ```ts
 * const r = admissionCheck({ pool: 'b', flavor, nodeCount: 8, affinityGroupSize: 2 }, poolNodes);
 * if (!r.ok) reject(`never fits: ${r.reason}`);
 * ```
 */
export function admissionCheck(job: AdmissionJob, nodes: readonly NodeView[]): AdmissionResult {
  const mine = nodes
    .filter((n) => n.pool === job.pool)
    .map((n) => ({ ...n, schedulable: true, used: { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 } }));
  if (mine.length === 0) return { ok: false, reason: WaitReason.NoNodesInPool };
  const pool = new PoolIndex(job.pool, mine);
  const request = toJobRequest({ ...job, jobId: '', priority: 1, queuedSeq: 0 }, 0);
  const { stack, maxNodeReasons } = DEFAULT_PLANNER_OPTIONS;
  const sf = computeStaticFeasibility(pool, request, stack.staticCheckers, stack.staticScorers, maxNodeReasons);
  const never = neverFits(request, sf, pool);
  return never ? { ok: false, reason: WaitReason.NeverFits, ...never, filtered: { ...sf.filtered }, nodeReasons: nodeReasons(pool, sf, null, maxNodeReasons) } : { ok: true };
}
