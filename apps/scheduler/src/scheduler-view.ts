import type { Flavor } from '@trainyard/contracts';
import type { ClusterView, PendingJob } from '@trainyard/scheduling';

/**
 * What the scheduler service tells the planner: the planner's `ClusterView` with every field the
 * issue asks the service to fill — running jobs (reservations, backfill, preemption), the re-queued
 * flag, supernode affinity groups, auto-stop limits, the previous plan's reservations. The fields are
 * declared here too, structurally equal to the planner's, so the service compiles whichever version
 * of the planner is in the tree; a planner that does not know a field ignores it.
 */
export interface SchedulerView extends ClusterView {
  queue: QueuedJob[];
  running: RunningJob[];
}

/** The previous plan's reservations, passed back verbatim (they remember when each hold began). */
export type Reservations = ClusterView extends { reservations?: infer R } ? R : readonly unknown[];

/** A waiting, undispatched job. */
export interface QueuedJob extends PendingJob {
  /** Back in the queue after a run (preemption, fault recovery): first priority. */
  requeued?: boolean;
  /** Supernode affinity group size n: every n consecutive instances share one supernode. */
  affinityGroupSize?: number;
  /** Auto stop after this many running hours. */
  maxRunHours?: number;
}

/** A job that holds capacity now (dispatched, running, or being preempted). */
export interface RunningJob {
  jobId: string;
  pool: string;
  priority: number;
  /**
   * May be preempted *now*: the spec opted in and the current run is older than the minimum run time
   * (a job just started, or just back after a preemption, is protected, so two jobs never preempt
   * each other in a loop).
   */
  preemptible: boolean;
  /** Start of the current run; absent while dispatched but not started. */
  startedAt?: string;
  /**
   * Auto-stop limit, as hours of the planner's clock: the remaining running time (limit minus earlier
   * runs, in the configured hour length) expressed in real hours from `startedAt`.
   */
  maxRunHours?: number;
  flavor: Flavor;
  /** The node of each task that still holds capacity (one entry per task). */
  nodeIds: readonly string[];
  affinityGroupSize?: number;
  /** A preemption in progress: the job it is being stopped for. */
  preemptedFor?: string;
}

/** Stop `victimJobId` (it is re-queued) so `forJobId` can be placed on what it frees. */
export interface PreemptionOrder {
  victimJobId: string;
  forJobId: string;
}
