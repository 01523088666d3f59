import type { TaskPlacement } from '@trainyard/contracts';
import type { Resource } from './capacity';
import type { FilterReason } from './feasibility/filter-reason';

/**
 * The planner's output: readonly plain data with one field per kind of change, so it can be
 * committed by the scheduler service or printed by a dry run.
 *
 * @example
 * ```ts
 * {
 *   place: [{ jobId: 'small', placements: [{ task: 'worker-0', index: 0, nodeId: 'n3', host: '10.0.0.3' }] }],
 *   waiting: [{ jobId: 'big', reason: 'HOLDING_RESERVATION', position: 1, … }],
 *   preempt: [],
 *   reservations: [{ jobId: 'big', kind: 'backfill', status: 'active', since: '…', expiresAt: '…', startsAt: null, … }],
 * }
 * ```
 */
export interface Plan {
  /** Jobs placed whole, in queue order. */
  place: readonly JobPlacement[];
  /** Every queued job not placed, with one typed reason. */
  waiting: readonly WaitingJob[];
  /** Running jobs to stop and re-queue so a higher-priority job can run. */
  preempt: readonly Preemption[];
  /**
   * Capacity held for waiting jobs, and lapsed holds still in their back-off. Pass it back as the
   * next view's `reservations`: that is how a hold remembers when it began.
   */
  reservations: readonly Reservation[];
}

export interface JobPlacement {
  jobId: string;
  placements: TaskPlacement[];
}

/** Stop `victimJobId` (it is re-queued) so `forJobId` can be placed on what it frees. */
export interface Preemption {
  victimJobId: string;
  forJobId: string;
}

export const ReservationKind = {
  /** Held for the head job of a pool that cannot be placed yet; smaller jobs backfill around it. */
  Backfill: 'backfill',
  /** Held for a job whose victims are being stopped. */
  Preemption: 'preemption',
} as const;
export type ReservationKind = (typeof ReservationKind)[keyof typeof ReservationKind];

/** What the planner needs to remember about a hold between passes. */
export interface ReservationRecord {
  jobId: string;
  kind: ReservationKind;
  /** When the hold began (ISO time); it expires `reservationTtlMs` later. */
  since: string;
}

/**
 * A hold in the plan. Feed the list back as the next view's `reservations`.
 *
 * @example
 * ```ts
 * { jobId: 'big', kind: 'backfill', status: 'active', pool: 'a100', since: '2026-03-13T10:00:00.000Z',
 *   expiresAt: '2026-03-13T10:15:00.000Z', startsAt: '2026-03-13T11:00:00.000Z',
 *   nodes: [{ nodeId: 'n3', instances: 1, wholeNode: false }, { nodeId: 'n9', instances: 1, wholeNode: false }] }
 * ```
 */
export interface Reservation extends ReservationRecord {
  pool: string;
  /** `active` holds capacity; `lapsed` held too long and is in back-off until `retryAt`. */
  status: 'active' | 'lapsed';
  expiresAt: string;
  /** Lapsed only: from then on the job may hold capacity again. */
  retryAt?: string;
  /** When the held capacity is expected to be free; null when a task it waits for has no known end. */
  startsAt: string | null;
  /** Where the job would go (empty when lapsed). */
  nodes: readonly ReservedNode[];
}

export interface ReservedNode {
  nodeId: string;
  /** Instances of the holder expected on this node. */
  instances: number;
  /** The holder takes the whole node (supernode affinity group). */
  wholeNode: boolean;
}

export const WaitReason = {
  /** Not enough free capacity now, and nothing is held for it; `deficit` says how much is missing. */
  InsufficientResources: 'INSUFFICIENT_RESOURCES',
  /** It would fit, but the capacity is held for `blockedBy`, ahead of it in the queue. */
  BehindInQueue: 'BEHIND_IN_QUEUE',
  /** Capacity is held for it until running jobs end (`reservation.startsAt`). */
  HoldingReservation: 'HOLDING_RESERVATION',
  /** Lower-priority jobs are being stopped to make room for it. */
  PreemptionPending: 'PREEMPTION_PENDING',
  /** No schedulable node in the job's pool. */
  NoNodesInPool: 'NO_NODES_IN_POOL',
  /** The pool cannot hold it even empty (`cause` says why); it does not block anyone. */
  NeverFits: 'NEVER_FITS',
} as const;
export type WaitReason = (typeof WaitReason)[keyof typeof WaitReason];

export const NeverFitsCause = {
  /** Every node rejects it for its fixed attributes (accelerator type, required affinity, no supernode…). */
  NoEligibleNodes: 'NO_ELIGIBLE_NODES',
  /** One instance is larger than every eligible node. */
  InstanceTooLarge: 'INSTANCE_TOO_LARGE',
  /** The eligible nodes, all empty, hold fewer instances than the gang has. */
  GangTooLarge: 'GANG_TOO_LARGE',
  /** The supernodes, all empty, hold fewer affinity groups than the job needs. */
  AffinityGroupsTooLarge: 'AFFINITY_GROUPS_TOO_LARGE',
} as const;
export type NeverFitsCause = (typeof NeverFitsCause)[keyof typeof NeverFitsCause];

/** Per-resource amounts (cpu in cores). */
export type ResourceAmounts = Partial<Record<Resource, number>>;
/** Nodes rejected, counted by named reason (Nomad's `ConstraintFiltered` / `DimensionExhausted`). */
export type FilterCounts = Partial<Record<FilterReason, number>>;

/** Supernode affinity-group admission numbers (ch13 §7.3). */
export interface AffinityGroupCount {
  needed: number;
  /** Σ over supernodes of ⌊free whole nodes / group size⌋. */
  allocatable: number;
}

interface WaitingBase {
  jobId: string;
  /** 1-based position among the pool's waiting jobs. */
  position: number;
  /** Why nodes were rejected in its last placement attempt. */
  filtered?: FilterCounts;
  /** A sample of rejected nodes and their reason (at most `maxNodeReasons`). */
  nodeReasons?: Record<string, FilterReason>;
}

export interface InsufficientResourcesWait extends WaitingBase {
  reason: typeof WaitReason.InsufficientResources;
  /** Shortfall of the next instance that found no room, on the roomiest eligible node. */
  deficit: ResourceAmounts;
  /** Shortfall of the instances without room against the pool's free capacity. */
  poolDeficit: ResourceAmounts;
  unplacedInstances: number;
  affinityGroups?: AffinityGroupCount;
  /** Its hold lapsed; it may hold capacity again from this time. */
  reservationRetryAt?: string;
}

export interface BehindInQueueWait extends WaitingBase {
  reason: typeof WaitReason.BehindInQueue;
  /** The job ahead whose held capacity it would need. */
  blockedBy: string;
}

export interface HoldingReservationWait extends WaitingBase {
  reason: typeof WaitReason.HoldingReservation;
  reservation: { kind: ReservationKind; startsAt: string | null; expiresAt: string; nodes: number };
  deficit: ResourceAmounts;
  unplacedInstances: number;
  affinityGroups?: AffinityGroupCount;
}

export interface PreemptionPendingWait extends WaitingBase {
  reason: typeof WaitReason.PreemptionPending;
  /** Jobs being stopped for it (chosen in this plan or earlier). */
  victims: string[];
  expiresAt: string;
}

export interface NoNodesInPoolWait extends WaitingBase {
  reason: typeof WaitReason.NoNodesInPool;
}

export interface NeverFitsWait extends WaitingBase {
  reason: typeof WaitReason.NeverFits;
  cause: NeverFitsCause;
  /** Instance too large: shortfall on the largest eligible node. */
  deficit?: ResourceAmounts;
  affinityGroups?: AffinityGroupCount;
  /** Gang too large: instances the empty pool can hold. */
  capacityInstances?: number;
}

/**
 * Why a job waits: exactly one typed reason, with the numbers behind it.
 *
 * @example
 * ```ts
 * { jobId: 'j7', reason: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'j2' }
 * { jobId: 'j8', reason: 'INSUFFICIENT_RESOURCES', position: 4, deficit: { gpu: 4 }, poolDeficit: { gpu: 60 }, unplacedInstances: 8 }
 * ```
 */
export type WaitingJob =
  | InsufficientResourcesWait
  | BehindInQueueWait
  | HoldingReservationWait
  | PreemptionPendingWait
  | NoNodesInPoolWait
  | NeverFitsWait;
