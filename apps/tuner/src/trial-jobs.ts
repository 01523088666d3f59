import type { DomainEvent } from '@trainyard/contracts';

/** How a trial's job ended, as its events say. */
export type TrialJobEnd = 'succeeded' | 'failed' | 'abnormal' | 'terminated' | 'deleted';

/** What the tuner knows of one trial's job, folded from `ty.ev.job.<jobId>`. */
export interface TrialJob {
  searchId: string;
  trial: number;
  created: boolean;
  /** Latest scheduled attempt (0 before the first). */
  attempt: number;
  end?: { how: TrialJobEnd; at: number };
}

/** Folds one job event into the trial's job (pure). */
export function evolveTrialJob(j: TrialJob, e: DomainEvent): TrialJob {
  switch (e.type) {
    case 'JobCreated':
      return { ...j, created: true };
    case 'JobScheduled':
      return { ...j, attempt: Math.max(j.attempt, e.data.attempt), end: undefined };
    case 'JobSucceeded':
      return { ...j, end: { how: 'succeeded', at: Date.parse(e.time) } };
    case 'JobFailed':
      return { ...j, end: { how: 'failed', at: Date.parse(e.time) } };
    case 'JobAbnormal':
      return { ...j, end: { how: 'abnormal', at: Date.parse(e.time) } };
    case 'JobTerminated':
      return { ...j, end: { how: 'terminated', at: Date.parse(e.time) } };
    case 'JobDeleted':
      return { ...j, end: j.end ?? { how: 'deleted', at: Date.parse(e.time) } };
    default:
      return j;
  }
}
