/**
 * Why a node was rejected for an instance, recorded per node on every placement attempt (Nomad's
 * `FilterConstraint*` / `DimensionExhausted`). They are counted on waiting jobs and power
 * `yard why <job>`.
 *
 * @example
 * ```ts
 * { filtered: { ACCELERATOR_TYPE_MISMATCH: 40, INSUFFICIENT_GPU: 12 }, nodeReasons: { n3: 'INSUFFICIENT_GPU' } }
 * ```
 */
export const FilterReason = {
  /** Not heartbeating, or cordoned. */
  NotSchedulable: 'NODE_NOT_SCHEDULABLE',
  /** The flavor names an accelerator model the node does not have. */
  AcceleratorTypeMismatch: 'ACCELERATOR_TYPE_MISMATCH',
  /** A required node-affinity rule (严格部署) does not match the node. */
  RequiredAffinityUnmet: 'REQUIRED_AFFINITY_UNMET',
  /** A required anti-affinity rule (禁止部署) matches the node. */
  RequiredAntiAffinityMatched: 'REQUIRED_ANTI_AFFINITY_MATCHED',
  /** An affinity-group instance needs a node labelled with its supernode. */
  NotInSupernode: 'NOT_IN_SUPERNODE',
  /** One instance is larger than the node's whole capacity. */
  InstanceLargerThanNode: 'INSTANCE_LARGER_THAN_NODE',
  InsufficientCpu: 'INSUFFICIENT_CPU',
  InsufficientMemory: 'INSUFFICIENT_MEMORY',
  InsufficientGpu: 'INSUFFICIENT_GPU',
  InsufficientNpu: 'INSUFFICIENT_NPU',
  /** An affinity-group instance needs a node with no task on it. */
  NodeNotEmpty: 'NODE_NOT_EMPTY',
  /** A supernode-affinity task owns the node whole. */
  NodeOwnedWhole: 'NODE_OWNED_WHOLE',
  /** The capacity is held for a job ahead in the queue. */
  ReservedForOtherJob: 'RESERVED_FOR_OTHER_JOB',
  /** The node is free, but its supernode has too few free whole nodes for one group. */
  SupernodeGroupUnavailable: 'SUPERNODE_GROUP_UNAVAILABLE',
} as const;
export type FilterReason = (typeof FilterReason)[keyof typeof FilterReason];
