import type { Algorithm, Flavor, TrainingJobSpec } from './job-spec';

/**
 * Every event of the log. An event is `{ type, version, time, data }`; the aggregate it belongs to is
 * the subject of the commit that carries it (`ty.ev.job.<id>`, `ty.ev.node.<id>`). Names are past
 * tense. `version` is the schema version of `data`: old versions are upcast on read, never rewritten.
 */

// ---------------------------------------------------------------- shared shapes

/** Allocatable resources of a node, or requested by one instance of a job. */
export interface Capacity {
  /** vCPUs (fractional allowed). */
  cpu: number;
  memoryMiB: number;
  gpu: number;
  npu: number;
  acceleratorType?: string;
}

/** Where one task of a job runs. */
export interface TaskPlacement {
  task: string;
  index: number;
  nodeId: string;
  /** Address peers use to reach this task (goes into `VC_WORKER_HOSTS`, `MA_CURRENT_IP`). */
  host: string;
}

/** Everything a node agent needs to launch one task attempt, carried on the node's subject. */
export interface TaskAssignment {
  jobId: string;
  jobName: string;
  task: string;
  index: number;
  /** Job-level attempt: 1 on first dispatch, +1 on every job re-dispatch. */
  attempt: number;
  /** `MA_SCHEDULE_CNT`: times this task was scheduled (1 first). */
  scheduleCount: number;
  /** `MA_PROC_START_CNT`: times the script was started in this placement (1 first). */
  procStartCount: number;
  algorithm: Algorithm;
  flavor: Flavor;
  runtime: 'process' | 'container';
  /** Hosts of every task by index; `hosts.length` is `MA_NUM_HOSTS`. */
  hosts: string[];
}

/**
 * Why a task attempt ended. `precheck-failed`: the pre-check (ch12-13 §2.5) failed, so the script never
 * started; the W02/W03 events before it name the items and whether the hardware is to blame.
 */
export type TaskExitReason = 'exited' | 'stopped' | 'lost' | 'launch-failed' | 'precheck-failed';

/**
 * One item of a task's pre-check (ch12-13 §2.5, L7599-7653), as the node agent ran it.
 *
 * @example
 * ```ts
 * { item: 'disk-size shm', outcome: 'abnormal', detail: '/dev/shm has 0.5 GiB free, needs > 1 GiB', hardware: false }
 * { item: 'gpu-check', outcome: 'abnormal', detail: 'GPU 3 (0000:C1:00.0): 2 uncorrectable ECC errors', hardware: true }
 * ```
 */
export interface PrecheckItemResult {
  /**
   * The guide's log keyword (`dns`, `disk-size root`, `disk-size shm`, `disk-size cache`, `ulimit`,
   * `gpu-check`) or ours (`npu-check`).
   */
  item: string;
  /** `abnormal`: the item ran and found the node unfit (W02). `error`: the item could not be checked (W03). */
  outcome: 'passed' | 'abnormal' | 'error';
  /** What the item found, for humans. */
  detail: string;
  /**
   * The failure points at the node's accelerators or their driver: the node is to be isolated before
   * the job is re-dispatched (scenario 1, L7539); otherwise it is re-dispatched without isolation
   * (scenario 2, L7544). False for passed items.
   */
  hardware: boolean;
}

/** One failed pre-check item of a task attempt: the data of W02 and W03. */
export interface TaskPrecheckFailure {
  task: string;
  attempt: number;
  nodeId: string;
  /** Seconds the whole pre-check took (`[耗时： 秒]`), one decimal. */
  elapsedSeconds: number;
  item: string;
  detail: string;
  hardware: boolean;
}

/**
 * Why a job is back in the queue after it ran: it queues at "first priority" (ch12 §2.3, L7557–7558),
 * ahead of every job that was never dispatched, and fails after waiting too long there.
 */
export type RequeueReason = 'preemption' | 'fault-recovery';

/** A schedulable resource, as named in capacities and flavors. */
export type ResourceName = 'cpu' | 'memoryMiB' | 'gpu' | 'npu';

/**
 * Why a job is waiting, with the numbers behind it ("why is my job waiting"). `code` is the
 * planner's named reason (`INSUFFICIENT_RESOURCES`, `BEHIND_IN_QUEUE`, …); the other fields are
 * present when the reason has them.
 *
 * @example
 * ```ts
 * { code: 'INSUFFICIENT_RESOURCES', position: 1, deficit: { gpu: 2 }, unplacedInstances: 1 }
 * { code: 'BEHIND_IN_QUEUE', position: 3, blockedBy: 'job-7' }
 * ```
 */
export interface JobWaitReason {
  code: string;
  /** 1-based position among the pool's waiting jobs. */
  position?: number;
  /** Shortfall per resource of the next instance that found no room. */
  deficit?: Partial<Record<ResourceName, number>>;
  /** Instances of the gang that found no room. */
  unplacedInstances?: number;
  /** The job ahead that holds the pool (or the capacity reserved for it). */
  blockedBy?: string;
  /** Why a job can never fit as the pool stands (`NEVER_FITS`), e.g. `INSTANCE_TOO_LARGE`. */
  cause?: string;
  /** Jobs being preempted to make room for it (`PREEMPTION_PENDING`). */
  victims?: string[];
  /** When capacity held for it is expected to be free (`HOLDING_RESERVATION`); null = unknown. */
  startsAt?: string | null;
  /** Supernode affinity groups the job needs and the pool can allocate now. */
  affinityGroups?: { needed: number; allocatable: number };
  /** Anything else the planner said, for humans. */
  detail?: string;
}

// ---------------------------------------------------------------- job events

export interface JobEventData {
  /** J01 训练作业创建成功. Spec has defaults applied (`withDefaults`). */
  JobCreated: { jobId: string; spec: TrainingJobSpec; tasks: string[]; createdBy: string };
  /**
   * J04 训练作业已排队，正在等待资源分配. `requeue` is set when the job goes back to the queue after it
   * was dispatched (preempted, or re-dispatched by fault recovery): it then queues at first priority.
   */
  JobQueued: { priority: number; requeue?: RequeueReason };
  /** Placement committed (ours). The job counts as dispatched from here on. */
  JobScheduled: { attempt: number; placements: TaskPlacement[] };
  /** J06 训练作业开始运行: the first task of the attempt started. */
  JobStarted: { attempt: number };
  /** W18 [worker-0] 训练作业开始运行 */
  TaskStarted: { task: string; attempt: number; nodeId: string; pid?: number; procStartCount: number };
  /** W20 [worker-0] 训练结束，退出码 */
  TaskExited: {
    task: string;
    attempt: number;
    nodeId: string;
    exitCode: number | null;
    signal?: string | null;
    reason: TaskExitReason;
    error?: string;
  };
  /** W01 [worker-0] [耗时： 秒] 初始化环境预检完成: every pre-check item passed; the script starts next. */
  TaskPrecheckCompleted: { task: string; attempt: number; nodeId: string; elapsedSeconds: number; items: PrecheckItemResult[] };
  /** W02 [worker-0] [耗时： 秒] 检测项预检未通过，异常：… one item found the node unfit. */
  TaskPrecheckAbnormal: TaskPrecheckFailure;
  /** W03 [worker-0] [耗时： 秒] 检测项预检未通过，错误：… one item could not be checked. */
  TaskPrecheckError: TaskPrecheckFailure;
  /** J07 训练作业运行成功 */
  JobSucceeded: { attempt: number };
  /** J08 训练作业运行失败 */
  JobFailed: { attempt: number; reason: string; task?: string; exitCode?: number | null; message?: string };
  /** 异常: a platform-detected fault ended the job (not a non-zero exit of the script). */
  JobAbnormal: { attempt: number; reason: string };
  /** Stop accepted; running tasks are being stopped (终止中). */
  JobStopRequested: { by: string; reason: 'user' | 'max-run-time'; maxRunHours?: number };
  /** J12 训练作业已被手动终止, or J13 训练作业已被终止（最大运行时长：x h） */
  JobTerminated: { reason: 'user' | 'max-run-time'; maxRunHours?: number };
  /** Priority changed while waiting and not yet dispatched (ours; L11764). */
  JobPriorityChanged: { from: number; to: number; by: string };
  /**
   * J09 训练作业被抢占 (L9949): a job of higher priority needs the capacity. Every task of `attempt` gets
   * a stop request with `graceMs` (SIGTERM, then SIGKILL); once all ended the job is queued again
   * (`JobQueued` with `requeue: 'preemption'`).
   */
  JobPreempted: { attempt: number; by: string; byPriority: number; graceMs: number };
  /**
   * The reason the job waits changed materially (ours): the scheduler appends it only when the
   * reason's code or its numbers change enough to matter (`waitReasonChanged` in libs/domain).
   */
  JobWaiting: { reason: JobWaitReason };
  /** Delete accepted (删除中). */
  JobDeletionRequested: { by: string };
  /** J14 训练作业已被手动删除 */
  JobDeleted: { by: string };
}

// ---------------------------------------------------------------- node events

export interface NodeEventData {
  /** A node agent announced itself (again) with its capacity. */
  NodeRegistered: { nodeId: string; host: string; pool: string; capacity: Capacity; labels: Record<string, string> };
  /** Work for the node: launch this task attempt. */
  TaskAssigned: TaskAssignment;
  /** Stop this task attempt: SIGTERM, then SIGKILL after `graceMs`. */
  TaskStopRequested: { jobId: string; task: string; attempt: number; graceMs: number; reason: string };
}

export type EventDataMap = JobEventData & NodeEventData;
export type EventType = keyof EventDataMap;
export type JobEventType = keyof JobEventData;
export type NodeEventType = keyof NodeEventData;

/** One event. `time` is ISO-8601 and comes from the command (clocks are inputs). */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: { type: K; version: number; time: string; data: EventDataMap[K] };
}[T];
export type JobEvent = DomainEvent<JobEventType>;
export type NodeEvent = DomainEvent<NodeEventType>;

export const JOB_EVENT_TYPES: readonly JobEventType[] = [
  'JobCreated', 'JobQueued', 'JobScheduled', 'JobStarted', 'TaskStarted', 'TaskExited', 'JobSucceeded',
  'JobFailed', 'JobAbnormal', 'JobStopRequested', 'JobTerminated', 'JobPriorityChanged',
  'JobDeletionRequested', 'JobDeleted', 'JobPreempted', 'JobWaiting',
  'TaskPrecheckCompleted', 'TaskPrecheckAbnormal', 'TaskPrecheckError',
];
export const NODE_EVENT_TYPES: readonly NodeEventType[] = ['NodeRegistered', 'TaskAssigned', 'TaskStopRequested'];

/** Builds an event with schema version 1. */
export function event<T extends EventType>(type: T, time: string, data: EventDataMap[T]): DomainEvent<T> {
  return { type, version: 1, time, data } as DomainEvent<T>;
}

// ---------------------------------------------------------------- commits

/** Who did it and why; carried by every commit (decision 1). */
export interface CommitMeta {
  /** Idempotency key: also the `Nats-Msg-Id`. */
  commandId: string;
  correlationId: string;
  causationId?: string;
  /** `user:<id>`, `scheduler`, `node:<id>`, … */
  actor: string;
  /** W3C trace context of the command. */
  traceparent?: string;
}

/** One message of the event log: 1..n events about one aggregate. */
export interface Commit {
  subject: string;
  events: DomainEvent[];
  meta: CommitMeta;
}

/** A commit as read back: with its stream sequence. */
export interface StoredCommit extends Commit {
  seq: number;
}
