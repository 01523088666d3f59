import { JOB_STATUSES } from '@trainyard/domain';
import type { JobState } from '../api/types';

/** Every state with the guide's Chinese label (ch14 §2.1, L9052-9053) beside its English one. */
export const STATE_LABELS: Readonly<Record<JobState, { en: string; zh: string }>> = {
  ...JOB_STATUSES,
  deleted: { en: 'Deleted', zh: '已删除' },
};

/** The states a user filters by, in the guide's order of a job's life. */
export const FILTER_STATES: readonly JobState[] = ['creating', 'waiting', 'running', 'terminating', 'terminated', 'completed', 'failed', 'abnormal', 'deleting'];

export const stateLabel = (s: string) => STATE_LABELS[s as JobState] ?? { en: s, zh: s };

/** Stop only from 创建中, 等待中, 运行中 (L11918). */
export const stoppable = (s: string) => s === 'creating' || s === 'waiting' || s === 'running';

/** Delete only a finished job (L11934). */
export const deletable = (s: string) => s === 'completed' || s === 'failed' || s === 'terminated' || s === 'abnormal';
