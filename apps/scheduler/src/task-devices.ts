import { assignmentKey, tasksHoldingNodes, type ExistingTrainingJob } from '@trainyard/domain';
import { DeviceLedger } from '@trainyard/scheduling';
import type { ClusterState } from './cluster-state';

/**
 * Every node's cards as a ledger (issue 14): its inventory, with the cards of the tasks that still
 * hold it marked taken. "Still hold" is the rule the capacity count uses (`tasksHoldingNodes`: assigned,
 * running, being stopped, or exited and restartable in place, on this node, this attempt), so a card is free exactly when its share of
 * the node's GPU count is.
 */
export function deviceLedgers(state: ClusterState): Map<string, DeviceLedger> {
  const ledgers = new Map<string, DeviceLedger>();
  for (const [nodeId, node] of state.nodes) {
    if (node.state.status !== 'registered') continue;
    const ledger = new DeviceLedger(node.state.devices ?? {});
    for (const entry of Object.values(node.state.assignments)) {
      const devices = entry.assignment.devices;
      if (!devices?.length) continue;
      const job = state.jobs.get(entry.jobId)?.state;
      if (!job || job.status === 'none') continue;
      const live = tasksHoldingNodes(job).some((t) => t.name === entry.task && t.attempt === entry.attempt && t.nodeId === nodeId);
      if (!live) continue;
      ledger.hold((entry.assignment.flavor.gpu ?? 0) > 0 ? 'gpu' : 'npu', devices);
    }
    ledgers.set(nodeId, ledger);
  }
  return ledgers;
}

/** The cards an already assigned task of `job` was given, read from its node's assignment. */
export function assignedDevices(state: ClusterState, job: ExistingTrainingJob, task: string): string[] | undefined {
  const t = job.tasks.find((x) => x.name === task);
  if (!t?.nodeId) return undefined;
  const node = state.nodes.get(t.nodeId)?.state;
  const entry = node?.status === 'registered' ? node.assignments[assignmentKey(job.jobId, task)] : undefined;
  return entry && entry.attempt === t.attempt ? entry.assignment.devices : undefined;
}
