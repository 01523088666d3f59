/**
 * The guide's nine job states (ch14 §2.1, L9052–9053) with their console labels. `terminal` marks the
 * outcome states from which only delete leads on (ch14 §2.3: stop is refused there).
 *
 * @example
 * ```ts
 * JOB_STATUSES.running.zh // '运行中'
 * ```
 */
export const JOB_STATUSES = {
  creating: { zh: '创建中', en: 'Creating', terminal: false },
  waiting: { zh: '等待中', en: 'Waiting', terminal: false },
  running: { zh: '运行中', en: 'Running', terminal: false },
  terminating: { zh: '终止中', en: 'Terminating', terminal: false },
  terminated: { zh: '已终止', en: 'Terminated', terminal: true },
  completed: { zh: '已完成', en: 'Completed', terminal: true },
  failed: { zh: '运行失败', en: 'Failed', terminal: true },
  abnormal: { zh: '异常', en: 'Abnormal', terminal: true },
  deleting: { zh: '删除中', en: 'Deleting', terminal: false },
} as const;

/** One of the guide's nine states. */
export type GuideJobStatus = keyof typeof JOB_STATUSES;

/**
 * A job's status: the guide's nine plus `none` (no JobCreated yet) and `deleted` (after JobDeleted;
 * the console stops showing it, the log keeps it).
 */
export type JobStatus = 'none' | GuideJobStatus | 'deleted';

/** The four outcome states: completed, failed, abnormal, terminated. */
export type TerminalJobStatus = 'terminated' | 'completed' | 'failed' | 'abnormal';

/** True for an outcome state (已终止, 已完成, 运行失败, 异常). */
export function isTerminal(status: JobStatus): status is TerminalJobStatus {
  return status === 'terminated' || status === 'completed' || status === 'failed' || status === 'abnormal';
}

/** True once the job will never run again: an outcome state, or deleting/deleted. */
export function isEnded(status: JobStatus): boolean {
  return isTerminal(status) || status === 'deleting' || status === 'deleted';
}
