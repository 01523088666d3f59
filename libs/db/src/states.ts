/**
 * Job states of the read model. Seed names in the comments; `scheduled` is ours (placement committed,
 * no task started yet; the console shows it as 等待中 like `queued`).
 */
export const JOB_STATES = [
  'creating', // 创建中
  'queued', // 等待中
  'scheduled',
  'running', // 运行中
  'terminating', // 终止中
  'terminated', // 已终止
  'completed', // 已完成
  'failed', // 运行失败
  'abnormal', // 异常
  'deleting', // 删除中
  'deleted',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The seed's Chinese label of every state (ch14-management.md, job states). */
export const JOB_STATE_ZH: Readonly<Record<JobState, string>> = {
  creating: '创建中',
  queued: '等待中',
  scheduled: '等待中',
  running: '运行中',
  terminating: '终止中',
  terminated: '已终止',
  completed: '已完成',
  failed: '运行失败',
  abnormal: '异常',
  deleting: '删除中',
  deleted: '已删除',
};

/** States in which a job is over: its tasks no longer count against a node's capacity. */
export const FINAL_JOB_STATES: readonly JobState[] = ['terminated', 'completed', 'failed', 'abnormal', 'deleted'];

/** Task states: `assigned` once placed, `running` once its process started, then one end state. */
export const TASK_STATES = ['pending', 'assigned', 'running', 'succeeded', 'failed', 'stopped', 'lost'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Task states that occupy a node's capacity. */
export const OCCUPYING_TASK_STATES: readonly TaskState[] = ['assigned', 'running'];

export const isJobState = (s: string): s is JobState => (JOB_STATES as readonly string[]).includes(s);
