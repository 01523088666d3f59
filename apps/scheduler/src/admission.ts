import { ErrorCode, FieldCode, TrainyardError, validateJobSpec, withDefaults, type TrainingJobSpec } from '@trainyard/contracts';
import { planGangs, ZERO, type NodeView } from '@trainyard/scheduling';
import type { ClusterState } from './cluster-state';
import { toWaitReason } from './wait-reasons';
import { describeWaitReason } from '@trainyard/contracts';

/**
 * Refuses at submit a job that can never fit: the planner, asked to place it alone on its pool with
 * every registered node empty and schedulable, says `NEVER_FITS` (an instance larger than any node, a
 * gang or affinity groups larger than the pool…). Such a job would otherwise wait forever.
 *
 * A pool without any registered node is not refused: nodes may still join it. An invalid spec is left
 * to the decider, which reports every field.
 */
export function checkAdmission(state: ClusterState, raw: unknown, permissions: string[]): void {
  const v = validateJobSpec(raw, { permissions });
  if (!v.ok) return;
  const spec: TrainingJobSpec = withDefaults(v.spec);
  const r = spec.spec.resource;
  const pool = r.pool ?? 'default';
  const nodes: NodeView[] = [...state.nodes.values()]
    .filter((n) => n.info.pool === pool)
    .map(({ info }) => ({ id: info.nodeId, host: info.host, pool, labels: info.labels, capacity: info.capacity, used: ZERO, schedulable: true }));
  if (nodes.length === 0) return;
  const job = {
    jobId: 'admission', priority: spec.spec.priority ?? 1, queuedSeq: 1, pool, flavor: r.flavor, nodeCount: r.nodeCount ?? 1,
    ...(r.affinityGroupSize && r.affinityGroupSize > 1 ? { affinityGroupSize: r.affinityGroupSize } : {}),
    ...((spec.spec as { nodeAffinity?: unknown }).nodeAffinity !== undefined ? { nodeAffinity: (spec.spec as { nodeAffinity?: unknown }).nodeAffinity } : {}),
  };
  const plan = planGangs({ now: new Date(0).toISOString(), nodes, queue: [job as never] });
  const waiting = plan.waiting.find((w) => w.jobId === 'admission') as ({ jobId: string; reason: string } & Record<string, unknown>) | undefined;
  if (waiting?.reason !== 'NEVER_FITS') return;
  const { position: _p, ...reason } = toWaitReason(waiting);
  const message = `the job can never fit pool ${pool} (${nodes.length} node(s)): ${describeWaitReason(reason)}`;
  throw new TrainyardError(ErrorCode.ValidationFailed, message, [{ path: 'spec.resource', code: FieldCode.OutOfRange, message }]);
}
