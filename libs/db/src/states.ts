import { JOB_STATUSES, RESTARTABLE_EXITS, type JobStatus, type TaskStatus } from '@trainyard/domain';

/**
 * Job states of the read model: exactly the domain's statuses (`libs/domain` job-status.ts), minus
 * `none`. A job placed but not yet started stays `waiting` with `dispatched = true`, as in the domain.
 */
export type JobState = Exclude<JobStatus, 'none'>;
export const JOB_STATES: readonly JobState[] = [...(Object.keys(JOB_STATUSES) as (keyof typeof JOB_STATUSES)[]), 'deleted'];

/** The seed's Chinese label of every state, e.g. `running` → 运行中. */
export const JOB_STATE_ZH: Readonly<Record<JobState, string>> = {
  ...(Object.fromEntries(Object.entries(JOB_STATUSES).map(([s, v]) => [s, v.zh])) as Record<keyof typeof JOB_STATUSES, string>),
  deleted: '已删除',
};

export const isJobState = (s: string): s is JobState => (JOB_STATES as readonly string[]).includes(s);

/** Task states: the domain's task statuses. */
export type TaskState = TaskStatus;
export const TASK_STATES: readonly TaskState[] = ['pending', 'assigned', 'running', 'succeeded', 'failed', 'stopped', 'lost'];

/** Task states that hold a node's capacity (the scheduler counts the same: domain `tasksHoldingNodes`). */
export const OCCUPYING_TASK_STATES: readonly TaskState[] = ['assigned', 'running'];
/** …and these too, in a running job's current attempt: the fault manager may restart them in place. */
export const RESTARTABLE_TASK_STATES: readonly TaskState[] = RESTARTABLE_EXITS;
