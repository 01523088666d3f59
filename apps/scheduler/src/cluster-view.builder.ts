import type { Capacity } from '@trainyard/contracts';
import { activeTasks } from '@trainyard/domain';
import { add, demandOf, ZERO, type ClusterView, type NodeView, type PendingJob } from '@trainyard/scheduling';
import type { ClusterState } from './cluster-state';

/**
 * Projects the scheduler's state into the planner's view: used capacity is the sum of the flavors of
 * every task assigned or running on a node; the queue is every job waiting and not yet dispatched.
 */
export function buildClusterView(state: ClusterState, isLive: (nodeId: string) => boolean, now: Date): ClusterView {
  const used = new Map<string, Capacity>();
  const queue: PendingJob[] = [];
  for (const [jobId, { state: job, queuedSeq }] of state.jobs) {
    if (job.status === 'none') continue;
    const flavor = job.spec.spec.resource.flavor;
    for (const t of activeTasks(job)) {
      if (t.nodeId) used.set(t.nodeId, add(used.get(t.nodeId) ?? ZERO, demandOf(flavor)));
    }
    if (job.status === 'waiting' && !job.dispatched) {
      queue.push({
        jobId, priority: job.priority, queuedSeq, flavor,
        pool: job.spec.spec.resource.pool ?? 'default',
        nodeCount: job.spec.spec.resource.nodeCount ?? 1,
      });
    }
  }
  const nodes: NodeView[] = [...state.nodes.values()].map(({ info }) => ({
    id: info.nodeId, host: info.host, pool: info.pool, labels: info.labels,
    capacity: info.capacity, used: used.get(info.nodeId) ?? ZERO, schedulable: isLive(info.nodeId),
  }));
  return { now: now.toISOString(), nodes, queue };
}
