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

export type TaskExitReason = 'exited' | 'stopped' | 'lost' | 'launch-failed';

// ---------------------------------------------------------------- job events

export interface JobEventData {
  /** J01 训练作业创建成功. Spec has defaults applied (`withDefaults`). */
  JobCreated: { jobId: string; spec: TrainingJobSpec; tasks: string[]; createdBy: string };
  /** J04 训练作业已排队，正在等待资源分配 */
  JobQueued: { priority: number };
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
  /** J07 训练作业运行成功 */
  JobSucceeded: { attempt: number };
  /** J08 训练作业运行失败 */
  JobFailed: { attempt: number; reason: string; task?: string; exitCode?: number | null };
  /** 异常: a platform-detected fault ended the job (not a non-zero exit of the script). */
  JobAbnormal: { attempt: number; reason: string };
  /** Stop accepted; running tasks are being stopped (终止中). */
  JobStopRequested: { by: string; reason: 'user' | 'max-run-time'; maxRunHours?: number };
  /** J12 训练作业已被手动终止, or J13 训练作业已被终止（最大运行时长：x h） */
  JobTerminated: { reason: 'user' | 'max-run-time'; maxRunHours?: number };
  /** Priority changed while waiting and not yet dispatched (ours; L11764). */
  JobPriorityChanged: { from: number; to: number; by: string };
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
  'JobDeletionRequested', 'JobDeleted',
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
