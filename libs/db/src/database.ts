import type { ColumnType, Insertable, JSONColumnType, Selectable, Updateable } from 'kysely';
import type { Capacity, JobWaitReason, NodeIsolationReason, RequeueReason, RestartCount, TrainingJobSpec } from '@trainyard/contracts';
import type { JobState, TaskState } from './states';

/**
 * The read models as kysely sees them. Every table lives in one PostgreSQL schema (default
 * `trainyard`), so a scratch schema can hold a rebuild beside the live one. All timestamps come from
 * event `time` (never `now()`), which makes a rebuild byte-for-byte equal to the live tables.
 */
export interface Database {
  jobs: JobsTable;
  tasks: TasksTable;
  nodes: NodesTable;
  job_events: JobEventsTable;
  events: EventsTable;
  projection_checkpoint: ProjectionCheckpointTable;
}

/** `timestamptz`: read as `Date`, written as `Date` or an ISO-8601 string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** One training job. Written by the projector only. */
export interface JobsTable {
  id: string;
  name: string;
  description: string | null;
  state: JobState;
  priority: number;
  /** The submitted spec with defaults applied (`withDefaults`). */
  spec: JSONColumnType<TrainingJobSpec>;
  node_count: number;
  /** Job-level attempt of the last placement; 0 before the first. */
  attempt: number;
  /** True from the first `JobScheduled` on (priority can no longer change). */
  dispatched: boolean;
  /** Why the job ended or is stopping (`JobFailed.reason`, `user`, `max-run-time`…). */
  reason: string | null;
  created_at: Timestamp;
  /** First `JobStarted` (running time counts from here; queueing does not). */
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  /** Time of the last event applied to the job. */
  updated_at: Timestamp;
  created_by: string;
  /** Stream sequence of the last commit applied to the job. */
  last_seq: number;
  /** Why the job waits (latest `JobWaiting`); null once placed or never explained. */
  wait_reason: ColumnType<JobWaitReason | null, string | null | undefined, string | null>;
  /** Set while the job waits again after a run (`JobQueued.requeue`): it queues at first priority. */
  requeue: ColumnType<RequeueReason | null, RequeueReason | null | undefined, RequeueReason | null>;
  /** The job that preempted this one last (`JobPreempted.by`). */
  preempted_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** Re-dispatches used of `fault-tolerance/job-retry-num` ("当前重启次数/最大重启次数"), from the last `RecoveryDecided`. */
  restarts: ColumnType<RestartCount | null, string | null | undefined, string | null>;
}

/** One task (instance) of a job; primary key `(job_id, name)`. */
export interface TasksTable {
  job_id: string;
  /** `worker-<index>` */
  name: string;
  index: number;
  state: TaskState;
  node_id: string | null;
  /** Job-level attempt this row describes; 0 before the first placement. */
  attempt: number;
  exit_code: number | null;
  signal: string | null;
  /** `MA_PROC_START_CNT` of the last start. */
  proc_start_count: number;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
}

/** One registered node (the latest `NodeRegistered` wins). */
export interface NodesTable {
  id: string;
  host: string;
  pool: string;
  capacity: JSONColumnType<Capacity>;
  labels: JSONColumnType<Record<string, string>>;
  /** Time of the latest registration. */
  registered_at: Timestamp;
  last_seq: number;
  /** `suspect`, `isolated` or `draining`; null while in service (fault manager, issue 5). */
  availability: ColumnType<'suspect' | 'isolated' | 'draining' | null, string | null | undefined, string | null>;
  /** Why and since when the node is out of service; null while in service. */
  isolation: ColumnType<NodeIsolationRow | null, string | null | undefined, string | null>;
}

/** `nodes.isolation`: the latest NodeSuspect / NodeIsolated / NodeDraining. */
export interface NodeIsolationRow {
  reason: NodeIsolationReason | 'heartbeats-stopped';
  by: string;
  since: string;
  detail?: string;
}

/** The history of a job, one row per event; primary key `(seq, idx)`. */
export interface JobEventsTable {
  /** Stream sequence of the commit. */
  seq: number;
  /** Position of the event inside its commit. */
  idx: number;
  job_id: string;
  type: string;
  time: Timestamp;
  /** Task the event is about, if any. */
  task: string | null;
  message: string;
  message_zh: string;
  data: ColumnType<unknown, string, string>;
  actor: string;
}

/**
 * The cluster-wide event index (issue 17): one row per event of every job and node commit; primary
 * key `(seq, idx)`. `data` is the event's data as the log holds it.
 */
export interface EventsTable {
  seq: number;
  idx: number;
  subject: string;
  aggregate: 'job' | 'node';
  aggregate_id: string;
  type: string;
  version: number;
  time: Timestamp;
  /** The job the event concerns (the subject's, or the job of a node's work order). */
  job_id: string | null;
  /** Every node the event names. */
  node_ids: string[];
  task: string | null;
  actor: string;
  command_id: string;
  data: ColumnType<unknown, string, string>;
}

/** Last stream sequence applied, per projector name. */
export interface ProjectionCheckpointTable {
  name: string;
  seq: number;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobRowUpdate = Updateable<JobsTable>;
export type TaskRow = Selectable<TasksTable>;
export type NewTaskRow = Insertable<TasksTable>;
export type TaskRowUpdate = Updateable<TasksTable>;
export type NodeRow = Selectable<NodesTable>;
export type NodeRowUpdate = Updateable<NodesTable>;
export type NewNodeRow = Insertable<NodesTable>;
export type JobEventRow = Selectable<JobEventsTable>;
export type NewJobEventRow = Insertable<JobEventsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;

/** The projection tables, their primary keys, in the order a rebuild compares them. */
export const PROJECTION_TABLES = {
  jobs: ['id'],
  tasks: ['job_id', 'name'],
  nodes: ['id'],
  job_events: ['seq', 'idx'],
  events: ['seq', 'idx'],
  projection_checkpoint: ['name'],
} as const satisfies Partial<Record<keyof Database, readonly string[]>>;
export type ProjectionTable = keyof typeof PROJECTION_TABLES;

/** The schema every table lives in unless configured otherwise. */
export const DEFAULT_SCHEMA = 'trainyard';
