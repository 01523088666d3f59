import type { TaskPlacement } from '@trainyard/contracts';
import type { Resource } from './capacity';

/**
 * The planner's output: readonly plain data with one field per kind of change, so it can be
 * committed by the scheduler service or printed by a dry run.
 */
export interface Plan {
  place: readonly JobPlacement[];
  waiting: readonly WaitingJob[];
}

export interface JobPlacement {
  jobId: string;
  placements: TaskPlacement[];
}

export const WaitReason = {
  /** Not enough free capacity now; `deficit` says how much is missing on the best node. */
  InsufficientResources: 'INSUFFICIENT_RESOURCES',
  /** A job ahead in the same pool is waiting; strict FIFO keeps it from being starved. */
  BehindInQueue: 'BEHIND_IN_QUEUE',
  /** No schedulable node in the job's pool. */
  NoNodesInPool: 'NO_NODES_IN_POOL',
  /** One instance is larger than any node of the pool: it can never fit as things stand. */
  NeverFits: 'NEVER_FITS',
} as const;
export type WaitReason = (typeof WaitReason)[keyof typeof WaitReason];

export interface WaitingJob {
  jobId: string;
  reason: WaitReason;
  /** 1-based position among the pool's waiting jobs. */
  position: number;
  /** Shortfall of the next instance that could not be placed, per resource. */
  deficit?: Partial<Record<Resource, number>>;
  /** Instances of the gang that found no room. */
  unplacedInstances?: number;
  /** The job ahead of it that holds the pool (BehindInQueue). */
  blockedBy?: string;
}
