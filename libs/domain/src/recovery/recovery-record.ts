import type { Fault, JobEventData, RecoveryAction } from '@trainyard/contracts';
import type { RecoveryRule } from './recovery-rule';

/**
 * One earlier decision of a job, as its `RecoveryDecided` event recorded it: the history the policy
 * reads to count budgets and streaks (the guide's "故障恢复详情", L7674-7675).
 */
export interface RecoveryRecord {
  at: string;
  attempt: number;
  rule: RecoveryRule;
  action: RecoveryAction;
  fault: Fault;
  /** The decision used one re-dispatch of `job-retry-num`. */
  consumesBudget: boolean;
  /** The decision used one pod reschedule of `pod-retry-num`. */
  consumesPodBudget: boolean;
}

/** Actions that re-dispatch the whole job: the ones `job-retry-num` counts (L7590-7595; in-place and hang restarts do not, L8044, L8049). */
export const consumesBudget = (action: RecoveryAction): boolean => action === 'reschedule-job';

/** The record of a `RecoveryDecided` event. */
export function recordOf(at: string, d: JobEventData['RecoveryDecided']): RecoveryRecord {
  return {
    at,
    attempt: d.attempt,
    rule: d.rule as RecoveryRule,
    action: d.action,
    fault: d.fault,
    consumesBudget: consumesBudget(d.action),
    consumesPodBudget: d.action === 'reschedule-pod',
  };
}
