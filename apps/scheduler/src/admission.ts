import { describeWaitReason, ErrorCode, FieldCode, TrainyardError, validateJobSpec } from '@trainyard/contracts';
import { admissionCheck, pendingJobFromSpec, ZERO, type NodeView } from '@trainyard/scheduling';
import type { ClusterState } from './cluster-state';

/**
 * Refuses at submit a job that can never fit (the planner's `admissionCheck` against the pool's
 * registered nodes, all empty): an instance larger than every eligible node, a gang or affinity
 * groups larger than the pool, filters that leave no node. Such a job would otherwise wait forever.
 *
 * A pool without any registered node is not refused: nodes may still join it. An invalid spec is left
 * to the decider, which reports every field.
 */
export function checkAdmission(state: ClusterState, raw: unknown, permissions: string[]): void {
  const v = validateJobSpec(raw, { permissions });
  if (!v.ok) return;
  const job = pendingJobFromSpec('admission', v.spec, { queuedSeq: 0 });
  const nodes: NodeView[] = [...state.nodes.values()].map(({ info }) => ({
    id: info.nodeId, host: info.host, pool: info.pool, labels: info.labels, capacity: info.capacity, used: ZERO, schedulable: true,
  }));
  const verdict = admissionCheck(job, nodes);
  if (verdict.ok || verdict.reason !== 'NEVER_FITS') return;
  const poolSize = nodes.filter((n) => n.pool === job.pool).length;
  const reason = describeWaitReason({
    code: verdict.reason,
    cause: verdict.cause,
    ...(verdict.deficit ? { deficit: verdict.deficit } : {}),
    ...(verdict.affinityGroups ? { affinityGroups: verdict.affinityGroups } : {}),
    ...(verdict.capacityInstances !== undefined ? { detail: `the empty pool holds ${verdict.capacityInstances} instance(s)` } : {}),
  });
  const message = `the job can never fit pool ${job.pool} (${poolSize} node(s)): ${reason}`;
  throw new TrainyardError(ErrorCode.ValidationFailed, message, [{ path: 'spec.resource', code: FieldCode.OutOfRange, message }]);
}
