import type { Capacity, Flavor, NodeAffinityRule } from '@trainyard/contracts';
import type { ReservationRecord } from './plan';
import type { PastPreemption, QuotaPolicy } from './quota/quota-policy';

/**
 * Node labels the planner reads. A node agent sets them at registration (`TY_NODE_LABELS`).
 *
 * - `trainyard.io/supernode`: the supernode (HCCS/NVLink domain) the node belongs to. Nodes with the
 *   same value form one supernode; supernode affinity groups (`affinityGroupSize`) only use labelled
 *   nodes. Supernode names are unique per pool.
 * - `trainyard.io/node-id`: implicit — every node matches it with its own id, so node affinity can
 *   name nodes ("选择节点") without the agent labelling itself.
 *
 * @example
 * ```sh
 * TY_NODE_LABELS='trainyard.io/supernode=sn-07,zone=b' yard-agent
 * ```
 */
export const NodeLabel = {
  Supernode: 'trainyard.io/supernode',
  NodeId: 'trainyard.io/node-id',
} as const;

/**
 * What the planner sees: a snapshot, plain data, no I/O. The scheduler service builds it from the
 * event log; tests build it by hand. `now` is an input like everything else (STYLE 3).
 *
 * @example
 * ```ts
 * const view: ClusterView = {
 *   now: '2026-03-13T10:00:00Z',
 *   nodes: [{ id: 'n1', host: '10.0.0.1', pool: 'a100', capacity, used, labels: { 'trainyard.io/supernode': 'sn1' }, schedulable: true }],
 *   queue: [{ jobId: 'j1', priority: 2, queuedSeq: 41, pool: 'a100', flavor, nodeCount: 8, affinityGroupSize: 2 }],
 *   running: [{ jobId: 'j0', pool: 'a100', priority: 1, preemptible: true, startedAt: '…', flavor, nodeIds: ['n2'] }],
 *   reservations: previousPlan.reservations,
 * };
 * ```
 */
export interface ClusterView {
  now: string;
  nodes: NodeView[];
  /** Jobs waiting and not yet dispatched. Order does not matter: the planner sorts. */
  queue: PendingJob[];
  /**
   * Jobs holding capacity: dispatched or running, including ones being preempted. Used to know when
   * capacity frees (reservations) and what may be preempted. Absent = none known: every used
   * capacity then counts as held by a task whose end is unknown.
   */
  running?: RunningJob[];
  /**
   * The previous plan's `reservations`, passed back verbatim: they carry when each hold began, which
   * is what makes a hold expire (`reservationTtlMs`). Absent = no hold yet (each starts `now`).
   */
  reservations?: readonly ReservationRecord[];
  /**
   * Quotas per project and pool, cohorts, fair-share weights and decayed past usage. Absent (or no
   * quota for a pool) = that pool plans exactly as without quotas: priority, then FIFO.
   */
  quotas?: QuotaPolicy;
  /** Recent preemptions (the service keeps a window of them): the cycle guard reads them. */
  recentPreemptions?: readonly PastPreemption[];
}

export interface NodeView {
  id: string;
  host: string;
  /** A node belongs to exactly one pool. */
  pool: string;
  /** Allocatable resources; `capacity.acceleratorType` is what a flavor's `acceleratorType` must equal. */
  capacity: Capacity;
  /** Capacity held by tasks assigned or running on the node. */
  used: Capacity;
  /** Free-form labels, including `NodeLabel.Supernode`. */
  labels: Record<string, string>;
  /** Heartbeating and not cordoned: eligible for new work. */
  schedulable: boolean;
}

/**
 * A job waiting to be placed. Queue order: priority 3, 2, 1; within a priority re-queued jobs first;
 * then `queuedSeq` (first come, first served).
 */
export interface PendingJob {
  jobId: string;
  priority: number;
  /** Stream sequence of the job's JobQueued event: first come, first served within a priority. */
  queuedSeq: number;
  pool: string;
  flavor: Flavor;
  nodeCount: number;
  /**
   * Back in the queue after it was dispatched (preempted, or re-dispatched by fault recovery): it goes
   * ahead of every job of its priority that is not re-queued ("第一优先级", ch12 §2.3).
   */
  requeued?: boolean;
  /** Every n instances share one supernode, one whole node each (ch13). */
  affinityGroupSize?: number;
  /** Node affinity / anti-affinity rules (`spec.nodeAffinity`). */
  nodeAffinity?: readonly NodeAffinityRule[];
  /** Its auto-stop limit: a job that ends before a reservation starts may backfill onto it. */
  maxRunHours?: number;
  /**
   * Set for a running job that lost some tasks to a pod reschedule: only these tasks are placed
   * (`nodeCount` is their number), the survivors keep their nodes (their capacity is in `used`).
   */
  tasks?: readonly { name: string; index: number }[];
  /**
   * With `tasks` of a supernode-affinity job: the supernode the task's group lives on. The new
   * instance must land there, on a node of its own, like the rest of its group.
   */
  supernode?: string;
  /**
   * Nodes to avoid for this attempt (a pre-check failed there on healthy hardware, ch12 §2.2 scenario
   * 2): preferred anti-affinity, so the job goes elsewhere when it can and reuses them as a last resort.
   */
  avoidNodes?: readonly string[];
  /** The project it is charged to (quotas, fair share); absent = `default`. */
  project?: string;
  /** `spec.preemptible`: only a preemptible job may borrow quota beyond its guarantee (it can be reclaimed). */
  preemptible?: boolean;
}

/** A job that holds capacity now (dispatched, running or being preempted). */
export interface RunningJob {
  jobId: string;
  pool: string;
  priority: number;
  preemptible: boolean;
  /**
   * When the current attempt started running. Absent = dispatched but not started yet: its end is
   * unknown and it is protected from preemption (it has not run at all).
   */
  startedAt?: string;
  /** Auto-stop limit: with `startedAt` it gives the expected end. Absent = end unknown. */
  maxRunHours?: number;
  /** Per-instance demand. */
  flavor: Flavor;
  /** The node of each of its tasks that still holds capacity (one entry per task). */
  nodeIds: readonly string[];
  /** Set for supernode-affinity jobs: each task owns its whole node. */
  affinityGroupSize?: number;
  /** A preemption in progress: the job it is being stopped for. */
  preemptedFor?: string;
  /** The project it is charged to; absent = `default`. */
  project?: string;
  /**
   * When the job last acknowledged "checkpoint written" (ISO time) in its current run. Victim choice
   * prefers the job that loses the least work: the newest of this and `startedAt`.
   */
  checkpointAt?: string;
}
