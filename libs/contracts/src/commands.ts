import type { ErrorBody } from './errors';
import type { TrainingJobSpec } from './job-spec';

/**
 * Commands travel as NATS request/reply on `ty.cmd.<service>.<verb>` (decision 3). Every command
 * carries a `commandId` (the idempotency key of the commit it produces) and the caller's identity.
 */
export interface Caller {
  id: string;
  /** e.g. `job:setHighPriority` */
  permissions: string[];
}

export interface CommandBase {
  commandId: string;
  caller: Caller;
  traceparent?: string;
}

export interface SubmitJobCommand extends CommandBase {
  /** Chosen by the client so a retried submit names the same job. */
  jobId: string;
  spec: TrainingJobSpec;
}
export interface StopJobCommand extends CommandBase {
  jobId: string;
}
export interface DeleteJobCommand extends CommandBase {
  jobId: string;
}
export interface ChangePriorityCommand extends CommandBase {
  jobId: string;
  priority: number;
}

/** Reply to every command: the data and the stream sequence it was committed at, or an error. */
export type CommandReply<T = unknown> = { ok: true; data: T; seq: number } | { ok: false; error: ErrorBody };

export const SchedulerVerbs = {
  submit: 'submit',
  stop: 'stop',
  delete: 'delete',
  priority: 'priority',
} as const;
