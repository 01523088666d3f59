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
  /** W3C trace context ({@link TRACEPARENT}). */
  traceparent?: string;
}

/** A W3C `traceparent` (version-traceid-parentid-flags); anything else is not a trace context. */
export const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Command ids: what a client or service may choose (`schedule/<job>/<attempt>`, UUIDs, `idem-…`). */
export const COMMAND_ID = /^[A-Za-z0-9_\-/.:]{1,200}$/;

/** Bounds of the caller envelope every command carries (ours). */
export const CALLER_LIMITS = { idLength: 256, permissions: 64, permissionLength: 128 } as const;

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
/** `changes`: a `JobUpdate` (description, tags, experiment), checked by `validateJobUpdate`. */
export interface UpdateJobCommand extends CommandBase {
  jobId: string;
  changes: unknown;
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
  update: 'update',
  /** Record a command run in a running task (issue 15); the API then asks the task's agent. */
  exec: 'exec',
  /** Would the job be placed now, where, and if not why (issue 16): nothing is appended. */
  dryRun: 'dryRun',
  /** Every quota's live usage and borrowed amounts, and the decayed usage fair share reads. */
  quotaUsage: 'quotaUsage',
} as const;
