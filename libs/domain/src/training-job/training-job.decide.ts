import {
  ErrorCode,
  FieldCode,
  SET_HIGH_PRIORITY,
  SUBJECT_TOKEN,
  event,
  taskName,
  specRefusalCode,
  validateJobSpec,
  validateJobUpdate,
  withDefaults,
  type FieldError,
  type JobEvent,
  type JobEventData,
  type JobWaitReason,
  type PrecheckItemResult,
  type TaskExitReason,
  type TaskPlacement,
  type TrainingJobSpec,
} from '@trainyard/contracts';
import { accept, reject, type Command, type Decider, type Decision } from '../decider';
import { isTerminal } from './job-status';
import { waitReasonWorthRecording, type WaitReasonPolicy } from './wait-reason';
import { USER_ERROR_CODES, userErrorFailure, wellFormedUserError } from './user-error';
import { autoRestartOn } from '../recovery/recovery-policy';
import { decideTrainingJobRecovery, type TrainingJobRecoveryCommand } from './training-job.recovery';
import {
  activeTasks,
  evolveTrainingJob,
  findTask,
  initialTrainingJob,
  type ExistingTrainingJob,
  type StopRequest,
  type TrainingJob,
} from './training-job';

// ---------------------------------------------------------------- commands

/**
 * Create a job. The spec is validated here too (the decider is the last guard); `permissions` are the
 * caller's, needed for priority 3. Omitted permissions mean none: a priority-3 submit without them is
 * refused with FORBIDDEN.
 *
 * @example
 * ```ts
 * { type: 'SubmitJob', data: { jobId: 'j1', spec, createdBy: 'user:ada', permissions: [] }, metadata: { now } }
 * ```
 */
export type SubmitJob = Command<'SubmitJob', { jobId: string; spec: TrainingJobSpec; createdBy: string; permissions?: string[] }>;

/** Commit placements for the next attempt; they must name every task exactly once. */
export type ScheduleJob = Command<'ScheduleJob', { placements: TaskPlacement[] }>;

/** A node agent saw a task's process start (again, when `procStartCount` grew). */
export type ReportTaskStarted = Command<'ReportTaskStarted', JobEventData['TaskStarted']>;

/** A node agent saw a task's process end, or could not launch it, or lost it. */
export type ReportTaskExited = Command<'ReportTaskExited', JobEventData['TaskExited']>;

/**
 * A node agent ran the pre-check of a task attempt before starting its script (ch12-13 §2.5): every item
 * passed gives W01; each failed item gives W02 (abnormal) or W03 (error). Recorded once per attempt,
 * while the task is assigned; the agent then reports the exit with reason `precheck-failed` when an
 * item failed.
 *
 * @example
 * ```ts
 * { type: 'ReportTaskPrecheck', data: { task: 'worker-0', attempt: 1, nodeId: 'n1', elapsedSeconds: 0.4,
 *   items: [{ item: 'dns', outcome: 'passed', detail: '2 hosts resolve', hardware: false }] }, metadata: { now } }
 * ```
 */
export type ReportTaskPrecheck = Command<
  'ReportTaskPrecheck',
  { task: string; attempt: number; nodeId: string; elapsedSeconds: number; items: PrecheckItemResult[] }
>;

/**
 * A node agent staged (or could not stage) one object-store channel of a task attempt (issue 14):
 * `input-downloaded` W06, `input-download-failed` W07 (the failed exit follows), `output-uploaded`
 * W08 (the last sync after the exit), `output-prefetched` W09 (an output's `preDownload`).
 *
 * @example
 * ```ts
 * { type: 'ReportTaskStaging', data: { task: 'worker-0', attempt: 1, nodeId: 'n1', kind: 'input-downloaded',
 *   name: 'data_url', elapsedSeconds: 1.2, files: 3, bytes: 4096 }, metadata: { now } }
 * ```
 */
export type ReportTaskStaging = Command<
  'ReportTaskStaging',
  {
    task: string; attempt: number; nodeId: string; kind: TaskStagingKind; name: string; elapsedSeconds: number; files?: number; bytes?: number; reason?: string;
    /** The start of the script in the attempt (`MA_PROC_START_CNT`) it belongs to: keys the command, a restart in place stages again. */
    procStartCount?: number;
  }
>;
export const TASK_STAGING_KINDS = ['input-downloaded', 'input-download-failed', 'output-uploaded', 'output-prefetched'] as const;
export type TaskStagingKind = (typeof TASK_STAGING_KINDS)[number];

/** Stop a job by hand (`user`) or on its auto-stop timer (`max-run-time`, hours default to the spec's). */
export type StopJob = Command<'StopJob', { by: string; reason: 'user' | 'max-run-time'; maxRunHours?: number }>;

/** Delete a finished job. */
export type DeleteJob = Command<'DeleteJob', { by: string }>;

/**
 * Change the description, tags or experiment after creation (issue 18), in any state but deleted.
 * `changes` is checked as `validateJobUpdate` says (the creation rules V2 and V22); fields equal to the
 * current ones are left out, and nothing left is no event.
 */
export type UpdateJobMetadata = Command<'UpdateJobMetadata', { changes: unknown; by: string }>;

/** Change the queue priority while the job waits and is not dispatched (L11764, L11791). */
export type ChangePriority = Command<'ChangePriority', { to: number; by: string; permissions: string[] }>;

/**
 * A platform-detected fault ends the job as 异常 (abnormal), e.g. the fault manager gave up recovery.
 * Not in the brief's list; it is the only way into `abnormal`, which delete accepts.
 */
export type DeclareJobAbnormal = Command<'DeclareJobAbnormal', { reason: string; by: string }>;

/**
 * Preempt a running (or dispatched) preemptible job for `by`, a job of strictly higher priority:
 * every active task gets a stop request with `graceMs`, and once all ended the job queues again at
 * first priority. `minRunMs` protects a run that started less than that long ago, so two jobs never
 * preempt each other in a loop.
 *
 * @example
 * ```ts
 * { type: 'PreemptJob', data: { by: 'j-urgent', byPriority: 3, graceMs: 30000, minRunMs: 600000 }, metadata: { now } }
 * ```
 */
export type PreemptJob = Command<'PreemptJob', { by: string; byPriority: number; graceMs: number; minRunMs?: number; reclaim?: boolean }>;

/**
 * A task acknowledged "checkpoint written" (it wrote its `MA_CHECKPOINT_ACK_FILE`; the node agent
 * reports it). Recorded for a live task of the current attempt; a report of an older attempt is a no-op.
 *
 * @example
 * ```ts
 * { type: 'RecordCheckpoint', data: { task: 'worker-0', attempt: 2, nodeId: 'gpu-01' }, metadata: { now } }
 * ```
 */
export type RecordCheckpoint = Command<'RecordCheckpoint', { task: string; attempt: number; nodeId: string }>;

/** The planner kept this job from preempting `victim`, which preempted it within `windowMs`. */
export type RecordPreemptionCycle = Command<'RecordPreemptionCycle', { victim: string; windowMs: number }>;

/**
 * Record why the job waits. Appends `JobWaiting` only when it is worth it (`waitReasonWorthRecording`:
 * a new cause at once; the numbers of the same cause rarely and a bounded number of times, by
 * `policy`, default `DEFAULT_WAIT_REASON_POLICY`); a job no longer waiting (placed meanwhile) makes it
 * a no-op.
 */
export type RecordWaitReason = Command<'RecordWaitReason', { reason: JobWaitReason; policy?: Partial<WaitReasonPolicy> }>;

/**
 * A job re-queued after it ran waited longer than `limitMs` for capacity: it fails (the guide: "如果
 * 排队时间超过30分钟，训练作业会自动退出", L7558–7559). A job placed meanwhile makes it a no-op.
 */
export type FailRequeuedJob = Command<'FailRequeuedJob', { limitMs: number }>;

/**
 * A placed job none of whose tasks started within `limitMs` of its placement ends abnormal (J03,
 * 准备阶段超时, L9938): staging, image or code preparation hung. A job that started, or was re-queued,
 * meanwhile makes it a no-op.
 */
export type TimeOutPreparation = Command<'TimeOutPreparation', { limitMs: number }>;

/**
 * Someone runs `command` in task `task` (issue 15, `yard exec`): recorded first, so every exec is in
 * the job's history with its principal. Only in a running task of a running job: there is nothing to
 * run it in otherwise.
 */
export type RecordExec = Command<'RecordExec', { task: string; command: string[]; by: string }>;

export type TrainingJobCommand =
  /** Fault recovery (issue 5): `ApplyRecovery`, `RecordFailureAnalysis` (training-job.recovery.ts). */
  | TrainingJobRecoveryCommand
  | PreemptJob
  | RecordCheckpoint
  | RecordPreemptionCycle
  | RecordWaitReason
  | FailRequeuedJob
  | TimeOutPreparation
  | RecordExec
  | SubmitJob
  | ScheduleJob
  | ReportTaskStarted
  | ReportTaskExited
  | ReportTaskPrecheck
  | ReportTaskStaging
  | StopJob
  | DeleteJob
  | ChangePriority
  | UpdateJobMetadata
  | DeclareJobAbnormal;

/** Named reasons of every training-job rejection (STYLE 6). */
export const JobRejection = {
  JobNotFound: 'JobNotFound',
  JobAlreadyExists: 'JobAlreadyExists',
  InvalidJobId: 'InvalidJobId',
  InvalidSpec: 'InvalidSpec',
  NotSchedulable: 'NotSchedulable',
  InvalidPlacements: 'InvalidPlacements',
  UnknownTask: 'UnknownTask',
  UnknownAttempt: 'UnknownAttempt',
  InvalidReport: 'InvalidReport',
  /** The job is terminating or over: the agent must kill the process it reported. */
  JobNotActive: 'JobNotActive',
  NodeMismatch: 'NodeMismatch',
  /** A start reported for a task that already ended at this attempt: the agent must kill the process. */
  TaskEnded: 'TaskEnded',
  NotStoppable: 'NotStoppable',
  MaxRunHoursRequired: 'MaxRunHoursRequired',
  NotDeletable: 'NotDeletable',
  PriorityLocked: 'PriorityLocked',
  InvalidPriority: 'InvalidPriority',
  InvalidUpdate: 'InvalidUpdate',
  HighPriorityForbidden: 'HighPriorityForbidden',
  /** The job did not opt in (`spec.preemptible` is false). */
  NotPreemptible: 'NotPreemptible',
  /** Only a running or dispatched job holds capacity to give up. */
  NothingToPreempt: 'NothingToPreempt',
  /** Only a job of strictly higher priority may preempt. */
  PreemptorNotHigher: 'PreemptorNotHigher',
  /** The current run is younger than the minimum run time. */
  RecentlyStarted: 'RecentlyStarted',
  /** The re-queued job has not waited `limitMs` yet. */
  RequeueNotExpired: 'RequeueNotExpired',
  PreparationNotExpired: 'PreparationNotExpired',
  TaskNotRunning: 'TaskNotRunning',
  /** Only a running (or dispatched) job is recovered (fault manager). */
  NotRecoverable: 'NotRecoverable',
  /** `PlaceTasks` named a task that is not waiting for a node (pod reschedule, scheduler). */
  NothingToPlace: 'NothingToPlace',
} as const;
export type JobRejection = (typeof JobRejection)[keyof typeof JobRejection];


type JobDecision = Decision<JobEvent, JobRejection>;
const emit = (...events: JobEvent[]): JobDecision => accept<JobEvent>(...events);

// ---------------------------------------------------------------- guards

/** A job that is visible to callers: created and not deleted. */
function existing(state: TrainingJob): state is ExistingTrainingJob {
  return state.status !== 'none' && state.status !== 'deleted';
}

const notFound = (state: TrainingJob): JobDecision =>
  reject(ErrorCode.NotFound, JobRejection.JobNotFound, state.status === 'deleted' ? `job ${state.jobId} was deleted` : 'no such job');

const field = (path: string, code: FieldError['code'], message: string): FieldError => ({ path, code, message });

const isNonNegInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
const EXIT_REASONS: readonly TaskExitReason[] = ['exited', 'stopped', 'lost', 'launch-failed', 'precheck-failed', 'user-error'];

const PRECHECK_OUTCOMES: readonly PrecheckItemResult['outcome'][] = ['passed', 'abnormal', 'error'];

// ---------------------------------------------------------------- one function per command

function submitJob({ data, metadata }: SubmitJob, state: TrainingJob): JobDecision {
  if (state.status !== 'none') return reject(ErrorCode.IllegalState, JobRejection.JobAlreadyExists, `job ${state.jobId} already exists`);
  if (typeof data.jobId !== 'string' || !SUBJECT_TOKEN.test(data.jobId)) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidJobId, 'jobId must match [A-Za-z0-9_-]{1,128}', [
      field('jobId', FieldCode.InvalidFormat, 'jobId must match [A-Za-z0-9_-]{1,128}'),
    ]);
  }
  const v = validateJobSpec(data.spec, { permissions: data.permissions ?? [] });
  if (!v.ok) {
    // Only permission problems → FORBIDDEN; anything else wrong → VALIDATION_FAILED with every field.
    return specRefusalCode(v.errors) === ErrorCode.Forbidden
      ? reject(ErrorCode.Forbidden, JobRejection.HighPriorityForbidden, `priority 3 needs ${SET_HIGH_PRIORITY}`, v.errors)
      : reject(ErrorCode.ValidationFailed, JobRejection.InvalidSpec, `job spec has ${v.errors.length} error(s)`, v.errors);
  }
  const spec = withDefaults(v.spec);
  const count = spec.spec.resource.nodeCount ?? 1;
  const tasks = Array.from({ length: count }, (_, i) => taskName(i));
  return emit(
    event('JobCreated', metadata.now, { jobId: data.jobId, spec, tasks, createdBy: data.createdBy }),
    event('JobQueued', metadata.now, { priority: spec.spec.priority ?? 1 }),
  );
}

function scheduleJob({ data, metadata }: ScheduleJob, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'waiting' || state.dispatched) {
    return reject(ErrorCode.IllegalState, JobRejection.NotSchedulable, `job ${state.jobId} is ${state.status}${state.dispatched ? ' and dispatched' : ''}; scheduling needs waiting and not dispatched`);
  }
  const errors = placementErrors(state, data.placements);
  if (errors.length) return reject(ErrorCode.ValidationFailed, JobRejection.InvalidPlacements, 'placements must cover every task exactly once', errors);
  const placements = [...data.placements].sort((a, b) => a.index - b.index);
  return emit(event('JobScheduled', metadata.now, { attempt: state.attempt + 1, placements }));
}

function placementErrors(state: ExistingTrainingJob, placements: unknown): FieldError[] {
  if (!Array.isArray(placements)) return [field('placements', FieldCode.InvalidType, 'placements must be an array')];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  placements.forEach((p: Partial<TaskPlacement>, i) => {
    const at = `placements[${i}]`;
    const task = typeof p?.task === 'string' ? findTask(state, p.task) : undefined;
    if (!task) errors.push(field(`${at}.task`, FieldCode.InvalidFormat, `unknown task ${String(p?.task)}`));
    else if (seen.has(task.name)) errors.push(field(`${at}.task`, FieldCode.Duplicate, `${task.name} is placed twice`));
    else if (p.index !== task.index) errors.push(field(`${at}.index`, FieldCode.InvalidFormat, `${task.name} has index ${task.index}`));
    if (task) seen.add(task.name);
    if (typeof p?.nodeId !== 'string' || !SUBJECT_TOKEN.test(p.nodeId)) errors.push(field(`${at}.nodeId`, FieldCode.InvalidFormat, 'nodeId must match [A-Za-z0-9_-]{1,128}'));
    if (typeof p?.host !== 'string' || p.host.length === 0) errors.push(field(`${at}.host`, FieldCode.Required, 'host is required'));
  });
  for (const t of state.tasks) if (!seen.has(t.name)) errors.push(field('placements', FieldCode.Required, `${t.name} is not placed`));
  return errors;
}

/** Checks shared by both task reports; returns the task, `stale`, or a rejection. */
function reportedTask(
  state: ExistingTrainingJob,
  data: { task: string; attempt: number; nodeId: string },
): { task: ExistingTrainingJob['tasks'][number] } | 'stale' | JobDecision {
  const task = findTask(state, data.task);
  if (!task) return reject(ErrorCode.ValidationFailed, JobRejection.UnknownTask, `job ${state.jobId} has no task ${data.task}`, [field('task', FieldCode.InvalidFormat, 'unknown task')]);
  if (!Number.isInteger(data.attempt) || data.attempt > state.attempt || data.attempt < 1) {
    return reject(ErrorCode.ValidationFailed, JobRejection.UnknownAttempt, `job ${state.jobId} has no attempt ${data.attempt} (latest ${state.attempt})`, [
      field('attempt', FieldCode.OutOfRange, 'unknown attempt'),
    ]);
  }
  if (data.attempt < state.attempt) return 'stale';
  if (task.nodeId !== data.nodeId) {
    return reject(ErrorCode.IllegalState, JobRejection.NodeMismatch, `${data.task} of job ${state.jobId} is placed on ${task.nodeId}, not ${data.nodeId}`);
  }
  return { task };
}

function reportTaskStarted({ data, metadata }: ReportTaskStarted, state: TrainingJob): JobDecision {
  if (state.status === 'none') return notFound(state);
  // Checked before staleness: whatever attempt it belongs to, a process of an ended job must die.
  if (state.status === 'terminating' || isTerminal(state.status) || state.status === 'deleting' || state.status === 'deleted') {
    return reject(ErrorCode.IllegalState, JobRejection.JobNotActive, `job ${state.jobId} is ${state.status}; stop the process`);
  }
  if (!isNonNegInt(data.procStartCount) || data.procStartCount < 1) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'procStartCount must be an integer ≥ 1', [field('procStartCount', FieldCode.OutOfRange, 'must be an integer ≥ 1')]);
  }
  const found = reportedTask(state, data);
  if (found === 'stale') return emit();
  if (!('task' in found)) return found;
  // Same or older start count: a redelivered report, already applied.
  if (data.procStartCount <= found.task.procStartCount) return emit();
  // The task already ended at this attempt (reported lost while its node was cut off, say) and this
  // start arrives late: it must not bring the task back to life under a recovery already under way.
  if (found.task.status !== 'assigned' && found.task.status !== 'running') {
    return reject(ErrorCode.IllegalState, JobRejection.TaskEnded, `${data.task} of job ${state.jobId} already ended at attempt ${data.attempt} (${found.task.status}); stop the process`);
  }
  const started = event('TaskStarted', metadata.now, {
    task: data.task,
    attempt: data.attempt,
    nodeId: data.nodeId,
    ...(data.pid !== undefined ? { pid: data.pid } : {}),
    procStartCount: data.procStartCount,
  });
  // The first start of a dispatched attempt makes the job 运行中.
  return state.status === 'waiting' ? emit(started, event('JobStarted', metadata.now, { attempt: data.attempt })) : emit(started);
}

/** `JobFailed.reason` for a failed exit, or undefined when the task succeeded. */
function failureReason(reason: TaskExitReason, exitCode: number | null): string | undefined {
  switch (reason) {
    case 'exited':
      return exitCode === 0 ? undefined : exitCode === null ? 'killed-by-signal' : 'non-zero-exit';
    case 'launch-failed':
    case 'precheck-failed':
    case 'lost':
    case 'stopped':
    case 'user-error':
      return reason;
    default: {
      const _exhaustive: never = reason;
      return _exhaustive;
    }
  }
}

function reportTaskExited({ data, metadata }: ReportTaskExited, state: TrainingJob): JobDecision {
  if (state.status === 'none') return notFound(state);
  if (!EXIT_REASONS.includes(data.reason) || (data.exitCode !== null && !Number.isInteger(data.exitCode))) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'exit report needs a known reason and an integer or null exit code', [
      field('reason', FieldCode.InvalidFormat, `one of ${EXIT_REASONS.join(', ')}`),
    ]);
  }
  const u = data.userError;
  if (!wellFormedUserError(data)) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'a user error names its field, one of the codes and a message', [
      field('userError', FieldCode.InvalidFormat, `{ field, code: ${USER_ERROR_CODES.join(' | ')}, message }`),
    ]);
  }
  const found = reportedTask(state, data);
  if (found === 'stale') return emit();
  if (!('task' in found)) return found;
  // Exits are recorded in every state, so a failed job's surviving workers are accounted for; a task
  // already exited for this attempt makes this a redelivery.
  if (found.task.status !== 'assigned' && found.task.status !== 'running') return emit();
  // The process a restart in place replaced (or is replacing) ended: stale.
  if (data.procStartCount !== undefined && data.procStartCount < Math.max(found.task.procStartCount, found.task.restartTo ?? 0)) return emit();

  const exited = event('TaskExited', metadata.now, {
    task: data.task,
    attempt: data.attempt,
    nodeId: data.nodeId,
    exitCode: data.exitCode,
    ...(data.signal !== undefined ? { signal: data.signal } : {}),
    reason: data.reason,
    ...(data.error !== undefined ? { error: data.error } : {}),
    ...(data.procStartCount !== undefined ? { procStartCount: data.procStartCount } : {}),
    ...(data.fault !== undefined ? { fault: data.fault } : {}),
    ...(u !== undefined ? { userError: u } : {}),
    ...(data.launcher !== undefined ? { launcher: data.launcher } : {}),
  });
  const after = evolveTrainingJob(state, exited) as ExistingTrainingJob;
  const attempt = data.attempt;

  if (state.status === 'running' || (state.status === 'waiting' && state.dispatched)) {
    const failed = failureReason(data.reason, data.exitCode);
    // The job's own spec cannot run: nothing to recover, whatever the annotations (issue 9). The node
    // is not blamed either (the fault manager's cross-job rule skips user errors).
    if (failed !== undefined && u !== undefined) return emit(...userErrorFailure(data, u, metadata.now, exited));
    // With auto restart on, the fault manager decides what a failure means (recover or fail).
    if (failed !== undefined && autoRestartOn(state.spec)) return emit(exited);
    if (failed !== undefined) {
      return emit(exited, event('JobFailed', metadata.now, { attempt, reason: failed, task: data.task, exitCode: data.exitCode }));
    }
    if (after.tasks.every((t) => t.status === 'succeeded')) return emit(exited, event('JobSucceeded', metadata.now, { attempt }));
    return emit(exited);
  }
  if (state.status === 'terminating' && state.preemption && activeTasks(after).length === 0) {
    return emit(exited, event('JobQueued', metadata.now, { priority: state.priority, requeue: 'preemption' }));
  }
  if (state.status === 'terminating' && state.recovery?.rescheduling && activeTasks(after).length === 0) {
    return emit(exited, event('JobQueued', metadata.now, { priority: state.priority, requeue: 'fault-recovery' }));
  }
  if (state.status === 'terminating' && activeTasks(after).length === 0) {
    const stop: StopRequest = state.stop ?? { by: 'unknown', reason: 'user' };
    return emit(exited, event('JobTerminated', metadata.now, { reason: stop.reason, ...(stop.maxRunHours !== undefined ? { maxRunHours: stop.maxRunHours } : {}) }));
  }
  return emit(exited);
}

function reportTaskPrecheck({ data, metadata }: ReportTaskPrecheck, state: TrainingJob): JobDecision {
  if (state.status === 'none') return notFound(state);
  const items = Array.isArray(data.items) ? data.items : [];
  const wellFormed = (i: PrecheckItemResult) =>
    typeof i?.item === 'string' && i.item !== '' && PRECHECK_OUTCOMES.includes(i.outcome) && typeof i.detail === 'string' && typeof i.hardware === 'boolean';
  if (items.length === 0 || !items.every(wellFormed) || !(typeof data.elapsedSeconds === 'number' && data.elapsedSeconds >= 0)) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'a pre-check report needs items { item, outcome, detail, hardware } and elapsedSeconds ≥ 0', [
      field('items', FieldCode.InvalidFormat, `items with outcome ${PRECHECK_OUTCOMES.join(', ')}`),
    ]);
  }
  const found = reportedTask(state, data);
  if (found === 'stale') return emit();
  if (!('task' in found)) return found;
  // Once per attempt, before the script starts: a redelivered report changes nothing.
  if (found.task.precheck !== undefined || found.task.status !== 'assigned') return emit();
  const base = { task: data.task, attempt: data.attempt, nodeId: data.nodeId, elapsedSeconds: data.elapsedSeconds };
  const failed = items.filter((i) => i.outcome !== 'passed');
  if (failed.length === 0) return emit(event('TaskPrecheckCompleted', metadata.now, { ...base, items }));
  return emit(
    ...failed.map((i) =>
      event(i.outcome === 'abnormal' ? 'TaskPrecheckAbnormal' : 'TaskPrecheckError', metadata.now, { ...base, item: i.item, detail: i.detail, hardware: i.hardware }),
    ),
  );
}

function reportTaskStaging({ data, metadata }: ReportTaskStaging, state: TrainingJob): JobDecision {
  if (state.status === 'none') return notFound(state);
  const failed = data.kind === 'input-download-failed';
  const count = (v: unknown) => v === undefined || isNonNegInt(v);
  const wellFormed =
    TASK_STAGING_KINDS.includes(data.kind) && typeof data.name === 'string' && data.name !== '' &&
    typeof data.elapsedSeconds === 'number' && data.elapsedSeconds >= 0 &&
    (failed ? typeof data.reason === 'string' : isNonNegInt(data.files) && count(data.bytes));
  if (!wellFormed) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, `a staging report needs kind (${TASK_STAGING_KINDS.join(', ')}), name, elapsedSeconds ≥ 0 and files, or a reason when it failed`, [
      field('kind', FieldCode.InvalidFormat, TASK_STAGING_KINDS.join(', ')),
    ]);
  }
  const found = reportedTask(state, data);
  if (found === 'stale') return emit();
  if (!('task' in found)) return found;
  const base = { task: data.task, attempt: data.attempt, nodeId: data.nodeId, name: data.name, elapsedSeconds: data.elapsedSeconds };
  const done = { ...base, files: data.files ?? 0, ...(data.bytes !== undefined ? { bytes: data.bytes } : {}) };
  switch (data.kind) {
    case 'input-downloaded':
      return emit(event('TaskInputDownloaded', metadata.now, done));
    case 'input-download-failed':
      return emit(event('TaskInputDownloadFailed', metadata.now, { ...base, reason: data.reason! }));
    case 'output-uploaded':
      return emit(event('TaskOutputUploaded', metadata.now, done));
    case 'output-prefetched':
      return emit(event('TaskOutputPrefetched', metadata.now, done));
    default: {
      const _exhaustive: never = data.kind;
      return _exhaustive;
    }
  }
}

function stopJob({ data, metadata }: StopJob, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  // A job being preempted is still the user's to stop: it then ends instead of queueing again.
  const preempting = state.status === 'terminating' && (state.preemption !== undefined || state.recovery?.rescheduling !== undefined);
  if (state.status !== 'creating' && state.status !== 'waiting' && state.status !== 'running' && !preempting) {
    return reject(ErrorCode.IllegalState, JobRejection.NotStoppable, `job ${state.jobId} is ${state.status}; stop needs creating, waiting or running`);
  }
  let maxRunHours: number | undefined;
  if (data.reason === 'max-run-time') {
    maxRunHours = data.maxRunHours ?? state.spec.spec.maxRunHours;
    if (maxRunHours === undefined) {
      return reject(ErrorCode.ValidationFailed, JobRejection.MaxRunHoursRequired, 'a max-run-time stop needs maxRunHours', [field('maxRunHours', FieldCode.Required, 'required for reason max-run-time')]);
    }
  } else if (data.reason !== 'user') {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'reason must be user or max-run-time', [field('reason', FieldCode.InvalidFormat, 'user | max-run-time')]);
  }
  const hours = maxRunHours !== undefined ? { maxRunHours } : {};
  const requested = event('JobStopRequested', metadata.now, { by: data.by, reason: data.reason, ...hours });
  // Nothing holds a process: 终止中 and 已终止 in one commit.
  return activeTasks(state).length === 0
    ? emit(requested, event('JobTerminated', metadata.now, { reason: data.reason, ...hours }))
    : emit(requested);
}

function deleteJob({ data, metadata }: DeleteJob, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (!isTerminal(state.status)) {
    return reject(ErrorCode.IllegalState, JobRejection.NotDeletable, `job ${state.jobId} is ${state.status}; only finished jobs can be deleted`);
  }
  return emit(event('JobDeletionRequested', metadata.now, { by: data.by }), event('JobDeleted', metadata.now, { by: data.by }));
}

function changePriority({ data, metadata }: ChangePriority, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'waiting' || state.dispatched) {
    return reject(ErrorCode.IllegalState, JobRejection.PriorityLocked, `job ${state.jobId} is ${state.status}${state.dispatched ? ' and dispatched' : ''}; priority changes only while waiting in the queue`);
  }
  if (!Number.isInteger(data.to) || data.to < 1 || data.to > 3) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidPriority, 'priority must be an integer 1–3', [{ ...field('to', FieldCode.OutOfRange, 'integer 1–3'), rule: 'V15' }]);
  }
  if (data.to === 3 && !data.permissions?.includes(SET_HIGH_PRIORITY)) {
    return reject(ErrorCode.Forbidden, JobRejection.HighPriorityForbidden, `priority 3 needs ${SET_HIGH_PRIORITY}`, [{ ...field('to', FieldCode.Forbidden, `needs ${SET_HIGH_PRIORITY}`), rule: 'V15' }]);
  }
  if (data.to === state.priority) return emit();
  return emit(event('JobPriorityChanged', metadata.now, { from: state.priority, to: data.to, by: data.by }));
}

function updateJobMetadata({ data, metadata }: UpdateJobMetadata, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  const check = validateJobUpdate(data.changes);
  if (!check.ok) return reject(ErrorCode.ValidationFailed, JobRejection.InvalidUpdate, `update has ${check.errors.length} error(s)`, check.errors);
  const now = state.spec.metadata;
  const u = check.update;
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const changed = {
    ...(u.description !== undefined && u.description !== (now.description ?? '') ? { description: u.description } : {}),
    ...(u.tags !== undefined && !same(u.tags, now.tags ?? []) ? { tags: u.tags } : {}),
    ...(u.experiment !== undefined && (u.experiment ?? undefined) !== now.experiment ? { experiment: u.experiment } : {}),
  };
  if (Object.keys(changed).length === 0) return emit();
  return emit(event('JobMetadataUpdated', metadata.now, { by: data.by, ...changed }));
}

function declareJobAbnormal({ data, metadata }: DeclareJobAbnormal, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'creating' && state.status !== 'waiting' && state.status !== 'running') {
    return reject(ErrorCode.IllegalState, JobRejection.JobNotActive, `job ${state.jobId} is ${state.status}; only a live job can become abnormal`);
  }
  return emit(event('JobAbnormal', metadata.now, { attempt: state.attempt, reason: data.reason }));
}

function preemptJob({ data, metadata }: PreemptJob, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.preemption && state.status === 'terminating') return emit();
  if (state.status !== 'running' && !(state.status === 'waiting' && state.dispatched)) {
    return reject(ErrorCode.IllegalState, JobRejection.NothingToPreempt, `job ${state.jobId} is ${state.status}; only a running or dispatched job can be preempted`);
  }
  if (!state.spec.spec.preemptible) return reject(ErrorCode.IllegalState, JobRejection.NotPreemptible, `job ${state.jobId} is not preemptible`);
  if (typeof data.by !== 'string' || !SUBJECT_TOKEN.test(data.by) || data.by === state.jobId) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'by must name another job', [field('by', FieldCode.InvalidFormat, 'a job id other than the victim')]);
  }
  // A quota reclaim takes back lent quota whatever the priorities and the run's age (libs/scheduling).
  if (!data.reclaim && !(data.byPriority > state.priority)) {
    return reject(ErrorCode.IllegalState, JobRejection.PreemptorNotHigher, `job ${data.by} has priority ${data.byPriority}, not above ${state.priority}`);
  }
  const since = state.attemptStartedAt ?? undefined;
  if (!data.reclaim && data.minRunMs && since && Date.parse(metadata.now) - Date.parse(since) < data.minRunMs) {
    return reject(ErrorCode.IllegalState, JobRejection.RecentlyStarted, `job ${state.jobId} started at ${since}; it runs at least ${data.minRunMs} ms before it can be preempted`);
  }
  const preempted = event('JobPreempted', metadata.now, { attempt: state.attempt, by: data.by, byPriority: data.byPriority, graceMs: data.graceMs, ...(data.reclaim ? { reclaim: true } : {}) });
  // Nothing holds a process (every task already ended): back in the queue at once.
  return activeTasks(state).length === 0
    ? emit(preempted, event('JobQueued', metadata.now, { priority: state.priority, requeue: 'preemption' }))
    : emit(preempted);
}

function recordCheckpoint({ data, metadata }: RecordCheckpoint, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'running' && state.status !== 'terminating' && state.status !== 'waiting') return emit();
  const found = reportedTask(state, data);
  if (found === 'stale') return emit();
  if (!('task' in found)) return found;
  if (found.task.status !== 'running') return emit();
  return emit(event('TaskCheckpointed', metadata.now, { task: data.task, attempt: data.attempt, nodeId: data.nodeId }));
}

function recordPreemptionCycle({ data, metadata }: RecordPreemptionCycle, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (typeof data.victim !== 'string' || !SUBJECT_TOKEN.test(data.victim) || !(data.windowMs > 0)) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'victim must name a job and windowMs be positive', [field('victim', FieldCode.InvalidFormat, 'a job id')]);
  }
  return emit(event('PreemptionCycleStopped', metadata.now, { victim: data.victim, windowMs: data.windowMs }));
}

function recordWaitReason({ data, metadata }: RecordWaitReason, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'waiting' || state.dispatched) return emit();
  if (!data.reason || typeof data.reason.code !== 'string' || !data.reason.code) {
    return reject(ErrorCode.ValidationFailed, JobRejection.InvalidReport, 'a wait reason needs a code', [field('reason.code', FieldCode.Required, 'required')]);
  }
  const last = state.waitReason && { reason: state.waitReason, ...state.waitRecord };
  return waitReasonWorthRecording(last, data.reason, metadata.now, data.policy, state.tasks.length)
    ? emit(event('JobWaiting', metadata.now, { reason: data.reason }))
    : emit();
}

function failRequeuedJob({ data, metadata }: FailRequeuedJob, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'waiting' || state.dispatched || !state.requeue) return emit();
  const waited = Date.parse(metadata.now) - Date.parse(state.requeue.at);
  if (!(waited >= data.limitMs)) {
    return reject(ErrorCode.IllegalState, JobRejection.RequeueNotExpired, `job ${state.jobId} re-queued at ${state.requeue.at}; the limit is ${data.limitMs} ms`);
  }
  const minutes = Math.round(data.limitMs / 60_000);
  return emit(
    event('JobFailed', metadata.now, {
      attempt: state.attempt,
      reason: 'requeue-timeout',
      message: `re-queued after ${state.requeue.reason} and no capacity freed within ${minutes} min`,
    }),
  );
}

function recordExec({ data, metadata }: RecordExec, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  const t = state.tasks.find((x) => x.name === data.task);
  if (!t) return reject(ErrorCode.NotFound, JobRejection.TaskNotRunning, `job ${state.jobId} has no task ${data.task}`);
  if (state.status !== 'running' || t.status !== 'running' || !t.nodeId) {
    return reject(ErrorCode.IllegalState, JobRejection.TaskNotRunning, `${data.task} of job ${state.jobId} is ${t.status} (the job ${state.status}): a command runs only in a running task`);
  }
  return emit(event('TaskExecRequested', metadata.now, { task: t.name, attempt: t.attempt, nodeId: t.nodeId, command: data.command, by: data.by }));
}

function timeOutPreparation({ data, metadata }: TimeOutPreparation, state: TrainingJob): JobDecision {
  if (!existing(state)) return notFound(state);
  if (state.status !== 'waiting' || !state.dispatched || !state.dispatchedAt) return emit();
  const waited = Date.parse(metadata.now) - Date.parse(state.dispatchedAt);
  if (!(waited >= data.limitMs)) {
    return reject(ErrorCode.IllegalState, JobRejection.PreparationNotExpired, `job ${state.jobId} was placed at ${state.dispatchedAt}; the limit is ${data.limitMs} ms`);
  }
  const minutes = Math.round(data.limitMs / 60_000);
  return emit(event('JobAbnormal', metadata.now, { attempt: state.attempt, reason: 'preparation-timeout', message: `no task started within ${minutes} min of the placement` }));
}

// ---------------------------------------------------------------- decide

/** Decides one command against the job's state: events to append (maybe none) or a rejection. */
export function decideTrainingJob(command: TrainingJobCommand, state: TrainingJob): JobDecision {
  switch (command.type) {
    case 'SubmitJob':
      return submitJob(command, state);
    case 'ScheduleJob':
      return scheduleJob(command, state);
    case 'ReportTaskStarted':
      return reportTaskStarted(command, state);
    case 'ReportTaskExited':
      return reportTaskExited(command, state);
    case 'ReportTaskPrecheck':
      return reportTaskPrecheck(command, state);
    case 'ReportTaskStaging':
      return reportTaskStaging(command, state);
    case 'StopJob':
      return stopJob(command, state);
    case 'DeleteJob':
      return deleteJob(command, state);
    case 'ChangePriority':
      return changePriority(command, state);
    case 'UpdateJobMetadata':
      return updateJobMetadata(command, state);
    case 'DeclareJobAbnormal':
      return declareJobAbnormal(command, state);
    case 'PreemptJob':
      return preemptJob(command, state);
    case 'RecordCheckpoint':
      return recordCheckpoint(command, state);
    case 'RecordPreemptionCycle':
      return recordPreemptionCycle(command, state);
    case 'RecordWaitReason':
      return recordWaitReason(command, state);
    case 'RecordExec':
      return recordExec(command, state);
    case 'TimeOutPreparation':
      return timeOutPreparation(command, state);
    case 'FailRequeuedJob':
      return failRequeuedJob(command, state);
    case 'ApplyRecovery':
    case 'RecordFailureAnalysis':
    case 'PlaceTasks':
      return decideTrainingJobRecovery(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * The training-job decider.
 *
 * @example
 * ```ts
 * const state = fold(trainingJobDecider, history);
 * const d = trainingJobDecider.decide({ type: 'StopJob', data: { by: 'user:ada', reason: 'user' }, metadata: { now } }, state);
 * ```
 */
export const trainingJobDecider: Decider<TrainingJobCommand, JobEvent, TrainingJob, JobRejection> = {
  decide: decideTrainingJob,
  evolve: evolveTrainingJob,
  initialState: initialTrainingJob,
};
