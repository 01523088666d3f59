import type { NodeAffinityRule } from '@trainyard/contracts';
import type { PendingJob } from '../cluster-view';
import { NodeLabel } from '../cluster-view';

/** Resources in the planner's exact units: cpu in millicores, so sums never drift. */
export interface Demand {
  cpu: number;
  memoryMiB: number;
  gpu: number;
  npu: number;
}

export const demandOfFlavor = (f: { cpu: number; memoryMiB: number; gpu?: number; npu?: number }): Demand => ({
  cpu: Math.round(f.cpu * 1000),
  memoryMiB: f.memoryMiB,
  gpu: f.gpu ?? 0,
  npu: f.npu ?? 0,
});

/** A compiled label selector: every key must have one of its values. */
export interface LabelSelector {
  keys: string[];
  values: Set<string>[];
}

export function compileSelector(labels: NodeAffinityRule['labels']): LabelSelector {
  const keys = Object.keys(labels).sort();
  return { keys, values: keys.map((k) => new Set(([] as string[]).concat(labels[k]))) };
}

export function selectorMatches(s: LabelSelector, nodeId: string, labels: Record<string, string>): boolean {
  for (let i = 0; i < s.keys.length; i++) {
    const k = s.keys[i];
    const v = k === NodeLabel.NodeId ? nodeId : labels[k];
    if (v === undefined || !s.values[i].has(v)) return false;
  }
  return true;
}

/**
 * A queued job in the form the planner works with: demand in exact units, affinity compiled, and the
 * key under which its static feasibility (everything that depends only on fixed node attributes) is
 * cached — jobs with the same key share one filter pass over the pool.
 */
export interface JobRequest {
  /** Position in queue order (0 first). */
  order: number;
  job: PendingJob;
  jobId: string;
  pool: string;
  priority: number;
  instances: number;
  demand: Demand;
  acceleratorType?: string;
  /** Instances per supernode group; 0 = no groups. Group instances take whole nodes. */
  groupSize: number;
  /** Each instance owns its node whole: a group instance, or the re-placed task of a grouped job. */
  wholeNode: boolean;
  required: LabelSelector[];
  forbidden: LabelSelector[];
  preferred: LabelSelector[];
  avoided: LabelSelector[];
  /** Nodes this attempt should avoid (scored below every stated preference; see avoid-nodes-scorer). */
  avoidNodes: ReadonlySet<string>;
  /** Expected running time (auto-stop limit) in ms, when known. */
  runMs?: number;
  /** Everything static feasibility depends on: demand, accelerator model, group size, affinity rules. */
  staticKey: string;
}

const NONE: LabelSelector[] = [];
const NO_NODES: ReadonlySet<string> = new Set();

export function toJobRequest(job: PendingJob, order: number): JobRequest {
  const rules = job.nodeAffinity ?? [];
  const pick = (type: NodeAffinityRule['type'], strength: NodeAffinityRule['strength']) =>
    rules.length === 0 ? NONE : rules.filter((r) => r.type === type && r.strength === strength).map((r) => compileSelector(r.labels));
  const demand = demandOfFlavor(job.flavor);
  // A partial placement (pod reschedule) of a grouped job places single instances: not as a new group
  // but next to its group (required supernode) and on a node of its own, as the group's rule says.
  const partial = job.tasks !== undefined;
  const grouped = (job.affinityGroupSize ?? 0) > 0;
  const groupSize = partial ? 0 : (job.affinityGroupSize ?? 0);
  const extraRequired = partial && grouped && job.supernode !== undefined ? [compileSelector({ [NodeLabel.Supernode]: job.supernode })] : NONE;
  return {
    order,
    job,
    jobId: job.jobId,
    pool: job.pool,
    priority: job.priority,
    instances: job.nodeCount,
    demand,
    acceleratorType: job.flavor.acceleratorType,
    groupSize,
    wholeNode: groupSize > 0 || (partial && grouped),
    required: [...pick('affinity', 'required'), ...extraRequired],
    forbidden: pick('anti-affinity', 'required'),
    preferred: pick('affinity', 'preferred'),
    avoided: pick('anti-affinity', 'preferred'),
    avoidNodes: job.avoidNodes?.length ? new Set(job.avoidNodes) : NO_NODES,
    runMs: job.maxRunHours !== undefined ? job.maxRunHours * 3_600_000 : undefined,
    staticKey:
      `${demand.cpu}/${demand.memoryMiB}/${demand.gpu}/${demand.npu}/${job.flavor.acceleratorType ?? ''}/${groupSize}${rules.length ? JSON.stringify(rules) : ''}` +
      (partial && grouped ? `/whole@${job.supernode ?? ''}` : '') +
      (job.avoidNodes?.length ? `/avoid:${[...job.avoidNodes].sort().join(',')}` : ''),
  };
}
