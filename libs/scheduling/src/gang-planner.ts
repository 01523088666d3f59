import { taskName, type Capacity, type TaskPlacement } from '@trainyard/contracts';
import { deficit, demandOf, fits, subtract, ZERO } from './capacity';
import type { ClusterView, NodeView, PendingJob } from './cluster-view';
import { WaitReason, type JobPlacement, type Plan, type WaitingJob } from './plan';

/**
 * Queue order: priority 3 first, then first come, first served by the JobQueued sequence.
 */
export function queueOrder(a: PendingJob, b: PendingJob): number {
  return b.priority - a.priority || a.queuedSeq - b.queuedSeq;
}

/**
 * Places every waiting job whole or not at all (gang), in queue order, per pool.
 *
 * Rule (v0): strict FIFO per pool — once the head job of a pool cannot be placed, the jobs behind it
 * in that pool wait too (`BehindInQueue`), so a stream of small jobs cannot starve a large one. A job
 * whose single instance is larger than every node of its pool would block its pool forever, so it is
 * skipped with `NeverFits` instead. Within a gang, each instance goes to the feasible node with the
 * least free capacity left afterwards (best fit), ties broken by node id for determinism.
 */
export function planGangs(view: ClusterView): Plan {
  const free = new Map<string, NodeView & { free: Capacity }>();
  for (const n of view.nodes) if (n.schedulable) free.set(n.id, { ...n, free: subtract(n.capacity, n.used) });

  const place: JobPlacement[] = [];
  const waiting: WaitingJob[] = [];
  const blockedPools = new Map<string, string>();
  const positions = new Map<string, number>();

  for (const job of [...view.queue].sort(queueOrder)) {
    const position = (positions.get(job.pool) ?? 0) + 1;
    const poolNodes = [...free.values()].filter((n) => n.pool === job.pool).sort((a, b) => a.id.localeCompare(b.id));
    const demand = demandOf(job.flavor);

    if (poolNodes.length === 0) {
      waiting.push({ jobId: job.jobId, reason: WaitReason.NoNodesInPool, position });
      positions.set(job.pool, position);
      continue;
    }
    if (!poolNodes.some((n) => fits(demand, n.capacity))) {
      waiting.push({ jobId: job.jobId, reason: WaitReason.NeverFits, position, deficit: deficit(demand, largest(poolNodes)) });
      positions.set(job.pool, position);
      continue;
    }
    const holder = blockedPools.get(job.pool);
    if (holder) {
      waiting.push({ jobId: job.jobId, reason: WaitReason.BehindInQueue, position, blockedBy: holder });
      positions.set(job.pool, position);
      continue;
    }

    const { placements, shortfall, unplaced } = placeGang(job, poolNodes);
    if (placements) {
      for (const p of placements) {
        const n = free.get(p.nodeId)!;
        n.free = subtract(n.free, demand);
      }
      place.push({ jobId: job.jobId, placements });
    } else {
      waiting.push({ jobId: job.jobId, reason: WaitReason.InsufficientResources, position, deficit: shortfall, unplacedInstances: unplaced });
      positions.set(job.pool, position);
      blockedPools.set(job.pool, job.jobId);
    }
  }
  return { place, waiting };
}

/**
 * Tentatively places every instance. When one does not fit it changes nothing and returns the
 * shortfall of the next instance on the roomiest node left (the numbers behind "why is my job waiting").
 */
function placeGang(
  job: PendingJob,
  nodes: (NodeView & { free: Capacity })[],
): { placements?: TaskPlacement[]; shortfall?: ReturnType<typeof deficit>; unplaced?: number } {
  const demand = demandOf(job.flavor);
  const scratch = new Map(nodes.map((n) => [n.id, n.free]));
  const out: TaskPlacement[] = [];
  for (let index = 0; index < job.nodeCount; index++) {
    let best: NodeView | undefined;
    let bestLeft = Infinity;
    for (const n of nodes) {
      const f = scratch.get(n.id)!;
      if (!fits(demand, f)) continue;
      const left = totalFree(subtract(f, demand));
      if (left < bestLeft) {
        best = n;
        bestLeft = left;
      }
    }
    if (!best) {
      const roomiest = nodes.map((n) => scratch.get(n.id)!).reduce((a, b) => (totalFree(b) > totalFree(a) ? b : a));
      return { shortfall: deficit(demand, roomiest), unplaced: job.nodeCount - index };
    }
    scratch.set(best.id, subtract(scratch.get(best.id)!, demand));
    out.push({ task: taskName(index), index, nodeId: best.id, host: best.host });
  }
  return { placements: out };
}

// A single scalar to rank nodes: accelerators dominate, then cores, then memory.
const totalFree = (c: { cpu: number; memoryMiB: number; gpu: number; npu: number }) =>
  (c.gpu + c.npu) * 1e9 + c.cpu * 1e5 + c.memoryMiB;

function largest(nodes: NodeView[]) {
  return nodes.reduce((acc, n) => (totalFree(n.capacity) > totalFree(acc) ? n.capacity : acc), ZERO);
}
