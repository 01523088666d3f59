import type { Capacity, Flavor } from '@trainyard/contracts';

/**
 * What the planner sees: a snapshot, plain data, no I/O. The scheduler service builds it from the
 * event log; tests build it by hand. `now` is an input like everything else (STYLE 3).
 */
export interface ClusterView {
  now: string;
  nodes: NodeView[];
  /** Jobs waiting and not yet dispatched. Order does not matter: the planner sorts. */
  queue: PendingJob[];
}

export interface NodeView {
  id: string;
  host: string;
  pool: string;
  capacity: Capacity;
  /** Capacity held by tasks assigned or running on the node. */
  used: Capacity;
  labels: Record<string, string>;
  /** Heartbeating and not cordoned: eligible for new work. */
  schedulable: boolean;
}

export interface PendingJob {
  jobId: string;
  priority: number;
  /** Stream sequence of the job's JobQueued event: first come, first served within a priority. */
  queuedSeq: number;
  pool: string;
  flavor: Flavor;
  nodeCount: number;
}
