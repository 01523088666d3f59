import type { Capacity, Flavor, TaskPlacement } from '@trainyard/contracts';
import { tasksHoldingNodes, isSchedulableNode, type ExistingTrainingJob } from '@trainyard/domain';
import type { FaultState } from './fault-state';

/**
 * Whether moved pods could go somewhere now (pod reschedule, L7985-8005): for each task, the
 * in-service, live node of the job's pool with the least room left that still fits one instance
 * (best fit, ties by id), never a node in `avoid`. Undefined when some task finds no room: the policy
 * then reschedules the whole job.
 *
 * A probe only: the fault manager decides the move, the scheduler places the pod (PlaceTasks) with
 * the same rules as any placement, so a job placed at the same moment cannot over-commit the node.
 */
export function placePods(
  state: FaultState,
  job: ExistingTrainingJob,
  tasks: readonly string[],
  avoid: ReadonlySet<string>,
  isAlive: (nodeId: string) => boolean,
): TaskPlacement[] | undefined {
  const used = usedCapacity(state);
  const r = job.spec.spec.resource;
  const pool = r.pool ?? 'default';
  const out: TaskPlacement[] = [];
  for (const name of tasks) {
    const task = job.tasks.find((t) => t.name === name);
    if (!task) return undefined;
    let best: { id: string; host: string; left: number } | undefined;
    for (const [id, n] of state.nodes) {
      if (n.state.status !== 'registered' || n.state.pool !== pool || avoid.has(id) || !isAlive(id) || !isSchedulableNode(n.state)) continue;
      const free = minus(n.state.capacity, used.get(id));
      if (!fits(free, r.flavor, n.state.capacity.acceleratorType)) continue;
      const left = free.cpu - r.flavor.cpu + (free.memoryMiB - r.flavor.memoryMiB) / 1024;
      if (!best || left < best.left || (left === best.left && id < best.id)) best = { id, host: n.state.host, left };
    }
    if (!best) return undefined;
    out.push({ task: name, index: task.index, nodeId: best.id, host: best.host });
    used.set(best.id, plus(used.get(best.id), r.flavor));
  }
  return out;
}

type Amounts = Pick<Capacity, 'cpu' | 'memoryMiB' | 'gpu' | 'npu'>;
const ZERO: Amounts = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };

function usedCapacity(state: FaultState): Map<string, Amounts> {
  const used = new Map<string, Amounts>();
  for (const { state: job } of state.jobs.values()) {
    if (job.status === 'none') continue;
    for (const t of tasksHoldingNodes(job)) if (t.nodeId) used.set(t.nodeId, plus(used.get(t.nodeId), job.spec.spec.resource.flavor));
  }
  return used;
}

const plus = (a: Amounts = ZERO, f: Flavor): Amounts => ({ cpu: a.cpu + f.cpu, memoryMiB: a.memoryMiB + f.memoryMiB, gpu: a.gpu + (f.gpu ?? 0), npu: a.npu + (f.npu ?? 0) });
const minus = (c: Capacity, u: Amounts = ZERO): Amounts => ({ cpu: c.cpu - u.cpu, memoryMiB: c.memoryMiB - u.memoryMiB, gpu: c.gpu - u.gpu, npu: c.npu - u.npu });
const fits = (free: Amounts, f: Flavor, type?: string): boolean =>
  free.cpu >= f.cpu && free.memoryMiB >= f.memoryMiB && free.gpu >= (f.gpu ?? 0) && free.npu >= (f.npu ?? 0) && (!f.acceleratorType || f.acceleratorType === type);
