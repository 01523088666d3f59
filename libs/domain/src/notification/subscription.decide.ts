import { ErrorCode, FieldCode, type FieldError, type NotificationEvent, type SubscriptionScope } from '@trainyard/contracts';
import { accept, type Command, type Decision, reject } from '../decider';
import type { SubscriptionEvent, SubscriptionState } from './subscription';

/** What the shell knows of the job a job-scoped subscription names (from the read models). */
export interface SubscribedJobFacts {
  state: string;
  /** Its flavor has GPUs or NPUs. */
  accelerated: boolean;
}

export type SubscriptionCommand =
  | Command<'Subscribe', {
      subscriptionId: string;
      scope: SubscriptionScope;
      events: NotificationEvent[];
      url: string;
      description?: string;
      by: string;
      /** The job of a job scope, as it is now. */
      job?: SubscribedJobFacts;
    }>
  | Command<'Unsubscribe', { subscriptionId: string; by: string }>;

export const SubscriptionRejection = {
  Exists: 'SubscriptionExists',
  NotFound: 'SubscriptionNotFound',
  JobOver: 'JobOver',
  HangNeedsAccelerator: 'HangNeedsAccelerator',
} as const;
export type SubscriptionRejection = (typeof SubscriptionRejection)[keyof typeof SubscriptionRejection];

/** The guide's states where notifications cannot be set (已完成, 运行失败, 异常, 已终止: L9454–9455), and deleted ones. */
export const UNSUBSCRIBABLE_JOB_STATES: readonly string[] = ['completed', 'failed', 'abnormal', 'terminated', 'deleting', 'deleted'];

/**
 * Decides a subscription command (issue 15). A job scope needs a job that is not over (L9454–9455);
 * `suspected-hang` needs a GPU/NPU job (L2127) — a project scope takes it for its GPU/NPU jobs only.
 */
export function decideSubscription(command: SubscriptionCommand, state: SubscriptionState): Decision<SubscriptionEvent, SubscriptionRejection> {
  const time = command.metadata.now;
  switch (command.type) {
    case 'Subscribe': {
      const d = command.data;
      if (state.status !== 'none') return reject(ErrorCode.Conflict, SubscriptionRejection.Exists, `subscription ${d.subscriptionId} exists`);
      if (d.scope.kind === 'job') {
        const job = d.job;
        if (!job) return reject(ErrorCode.NotFound, SubscriptionRejection.NotFound, `no training job ${d.scope.jobId}`, [{ path: 'job', code: FieldCode.Required, message: 'the job does not exist' }]);
        if (UNSUBSCRIBABLE_JOB_STATES.includes(job.state)) {
          return reject(ErrorCode.IllegalState, SubscriptionRejection.JobOver, `job ${d.scope.jobId} is ${job.state}: notifications cannot be set on a job that is over (L9454)`, [
            { path: 'job', code: FieldCode.Forbidden, message: `job is ${job.state}` },
          ]);
        }
        const hang = d.events.indexOf('suspected-hang');
        if (hang >= 0 && !job.accelerated) {
          const details: FieldError[] = [{ path: `events[${hang}]`, code: FieldCode.Forbidden, message: 'suspected-hang is notified only for GPU or NPU jobs (L2127)' }];
          return reject(ErrorCode.ValidationFailed, SubscriptionRejection.HangNeedsAccelerator, 'suspected-hang needs a job with GPUs or NPUs', details);
        }
      }
      return accept({
        type: 'NotificationSubscribed', version: 1, time,
        data: { subscriptionId: d.subscriptionId, scope: d.scope, events: d.events, url: d.url, ...(d.description ? { description: d.description } : {}), by: d.by },
      });
    }
    case 'Unsubscribe': {
      const d = command.data;
      if (state.status !== 'active') return reject(ErrorCode.NotFound, SubscriptionRejection.NotFound, `no subscription ${d.subscriptionId}`);
      return accept({ type: 'NotificationUnsubscribed', version: 1, time, data: { subscriptionId: d.subscriptionId, by: d.by } });
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
