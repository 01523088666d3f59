import type { TaskPlacement } from '@trainyard/contracts';
import type { Resource } from './capacity';
import type { FilterReason } from './feasibility/filter-reason';
import type { QuotaResource } from './quota/quota-policy';

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
  /**
   * Victims not chosen because they preempted the job that would preempt them within the cycle
   * window (A preempts B preempts A). Present only when the guard stopped one.
   */
  cyclesPrevented?: readonly PreemptionCycle[];
}

/** `jobId` was kept from preempting `victimJobId`, which preempted it within the window. */
export interface PreemptionCycle {
  jobId: string;
  victimJobId: string;
}

export interface JobPlacement {
  jobId: string;
  placements: TaskPlacement[];
}

/** Stop `victimJobId` (it is re-queued) so `forJobId` can be placed on what it frees. */
export interface Preemption {
  victimJobId: string;
  forJobId: string;
  /**
   * `reclaim`: the victim runs on quota its project borrowed from the preemptor's, which takes it
   * back. Absent: preempted for a strictly higher priority (the only kind without quotas).
   */
  kind?: 'reclaim';
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
  /** Its project's quota (or its cohort's idle quota) has no room for it; it blocks no one. */
  QuotaExceeded: 'QUOTA_EXCEEDED',
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

/**
 * One resource its project's quota has no room for. Amounts as the quota states them (cpu in cores).
 * `cohort` is set when what is short is the cohort's idle quota (the project would borrow).
 */
export interface QuotaShortfall {
  resource: QuotaResource;
  /** What the project holds now. */
  used: number;
  /** What the job needs. */
  requested: number;
  guaranteed: number;
  /** Null = no limit but the cohort's. */
  limit: number | null;
  cohort?: { name: string; used: number; guaranteed: number };
}

export const WaitCauseKind = {
  Quota: 'QUOTA',
  Capacity: 'CAPACITY',
  Reservation: 'RESERVATION',
  Affinity: 'AFFINITY',
  Preemption: 'PREEMPTION',
  NoNodes: 'NO_NODES',
  NeverFits: 'NEVER_FITS',
} as const;
export type WaitCauseKind = (typeof WaitCauseKind)[keyof typeof WaitCauseKind];

/**
 * One of the reasons that hold at once for a waiting job (`completeWaitReasons`): its `reason` is the
 * one that decided, `causes` are all of them.
 *
 * @example
 * ```ts
 * [{ kind: 'QUOTA', shortfalls: [{ resource: 'gpu', used: 8, requested: 8, guaranteed: 8, limit: 8 }] },
 *  { kind: 'CAPACITY', deficit: { gpu: 4 }, unplacedInstances: 1 },
 *  { kind: 'AFFINITY', excludedNodes: 12 }]
 * ```
 */
export type WaitCause =
  | { kind: typeof WaitCauseKind.Quota; shortfalls: QuotaShortfall[]; noQuota?: true; borrowingNeedsPreemptible?: true }
  | { kind: typeof WaitCauseKind.Capacity; deficit: ResourceAmounts; unplacedInstances: number }
  | { kind: typeof WaitCauseKind.Reservation; heldFor: string }
  | { kind: typeof WaitCauseKind.Affinity; excludedNodes: number; affinityGroups?: AffinityGroupCount }
  | { kind: typeof WaitCauseKind.Preemption; victims: string[] }
  | { kind: typeof WaitCauseKind.NoNodes }
  | { kind: typeof WaitCauseKind.NeverFits; cause: NeverFitsCause };

interface WaitingBase {
  jobId: string;
  /** 1-based position among the pool's waiting jobs. */
  position: number;
  /** Every reason that holds (with `completeWaitReasons`). */
  causes?: WaitCause[];
  /**
   * When it is expected to start (`completeWaitReasons`, like `squeue --start`): from the running
   * jobs' expected ends, for capacity and quota both; null = not known (a task it waits for has no
   * known end, or the quota can never hold it). Absent = not estimated this pass.
   */
  estimatedStart?: string | null;
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

export interface QuotaExceededWait extends WaitingBase {
  reason: typeof WaitReason.QuotaExceeded;
  /** Resources short (empty with `noQuota` / `borrowingNeedsPreemptible` alone). */
  shortfalls: QuotaShortfall[];
  /** Its project has no quota in this quota-managed pool. */
  noQuota?: true;
  /** It would borrow, and only a preemptible job may. */
  borrowingNeedsPreemptible?: true;
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
  | NeverFitsWait
  | QuotaExceededWait;
