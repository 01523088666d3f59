import {
  ErrorCode,
  FieldCode,
  SUBJECT_TOKEN,
  event,
  type FailureAnalysis,
  type FieldError,
  type HangEvidence,
  type JobEvent,
  type TaskPlacement,
} from '@trainyard/contracts';
import { accept, reject, type Command, type Decision } from '../decider';
import type { RecoveryDecision } from '../recovery/decide-recovery';
import { activeTasks, evolveTrainingJob, findTask, totalStarts, type ExistingTrainingJob, type TrainingJob } from './training-job';

/**
 * Fault-recovery commands of the training job (issue 5), wired into `decideTrainingJob`. The fault
 * manager decides with the pure policy (`decideRecovery`) and applies the decision here; the decider
 * re-checks that the decision still fits the job (same attempt, the fault's task still failed, a hang
 * not reported yet) and turns it into events: `RecoveryDecided` always, then its effect.
 */

/**
 * Apply one recovery decision to the job's current attempt. `placements` move the decision's tasks
 * (pod reschedule); `hang` is the detector's evidence when the fault is a suspected hang (J10 first).
 *
 * @example
 * ```ts
 * { type: 'ApplyRecovery', data: { attempt: 1, decision: decideRecovery(input) }, metadata: { now } }
 * ```
 */
export type ApplyRecovery = Command<
  'ApplyRecovery',
  { attempt: number; decision: RecoveryDecision; placements?: TaskPlacement[]; hang?: HangEvidence }
>;

/** Record what the failure analyser found in a failed task's last log lines (ch12 §5). */
export type RecordFailureAnalysis = Command<'RecordFailureAnalysis', { task: string; attempt: number; analysis: FailureAnalysis }>;

/**
 * Place the tasks a pod reschedule left without a node (status `pending` at the current attempt). Only
 * the scheduler sends it: it is the one placer, so a moved pod and a new job are planned against the
 * same picture and cannot over-commit a node (the fault manager only decides the move).
 *
 * @example
 * ```ts
 * { type: 'PlaceTasks', data: { placements: [{ task: 'worker-1', index: 1, nodeId: 'n4', host: '10.0.0.4' }] }, metadata: { now } }
 * ```
 */
export type PlaceTasks = Command<'PlaceTasks', { placements: TaskPlacement[] }>;

export type TrainingJobRecoveryCommand = ApplyRecovery | RecordFailureAnalysis | PlaceTasks;

/** Named reasons the recovery commands add to `JobRejection`. */
export const RecoveryRejection = {
  JobNotFound: 'JobNotFound',
  /** Only a running (or dispatched) job is recovered. */
  NotRecoverable: 'NotRecoverable',
  InvalidPlacements: 'InvalidPlacements',
  UnknownTask: 'UnknownTask',
  /** `PlaceTasks` names a task that is not waiting for a node at the current attempt. */
  NothingToPlace: 'NothingToPlace',
} as const;
type Reason = (typeof RecoveryRejection)[keyof typeof RecoveryRejection];
type JobDecision = Decision<JobEvent, Reason>;

const emit = (...events: JobEvent[]): JobDecision => accept<JobEvent>(...events);
const EXITED = new Set(['failed', 'lost', 'stopped']);

function live(state: ExistingTrainingJob): boolean {
  return state.status === 'running' || (state.status === 'waiting' && state.dispatched);
}

function applyRecovery({ data, metadata }: ApplyRecovery, state: TrainingJob): JobDecision {
  if (state.status === 'none' || state.status === 'deleted') return reject(ErrorCode.NotFound, RecoveryRejection.JobNotFound, 'no such job');
  if (!live(state)) return reject(ErrorCode.IllegalState, RecoveryRejection.NotRecoverable, `job ${state.jobId} is ${state.status}; only a running job is recovered`);
  const { decision: d, attempt } = data;
  // A decision about an earlier attempt, or about a failure a restart already dealt with, is stale.
  if (attempt !== state.attempt) return emit();
  const isHang = d.fault.kind === 'hang';
  if (isHang && state.hang && state.hang.starts === totalStarts(state)) return emit();
  if (!isHang) {
    const task = d.fault.task !== undefined ? findTask(state, d.fault.task) : undefined;
    if (!task || !EXITED.has(task.status)) return emit();
  }
  const now = metadata.now;
  const decided = event('RecoveryDecided', now, {
    attempt,
    rule: d.rule,
    action: d.action,
    fault: d.fault,
    restarts: d.restarts,
    ...(d.podRestarts ? { podRestarts: d.podRestarts } : {}),
    ...(d.consecutive !== undefined ? { consecutive: d.consecutive } : {}),
    tasks: d.tasks,
    isolate: d.isolate,
    message: d.message,
  });
  const head: JobEvent[] = isHang && data.hang ? [event('JobSuspectedHang', now, { attempt, evidence: data.hang }), decided] : [decided];
  const known = d.tasks.filter((t) => findTask(state, t));
  const restarted = (mode: 'in-place' | 'hang' | 'pod' | 'job', tasks: string[], placements?: TaskPlacement[]) =>
    event('JobRestarted', now, { attempt, mode, tasks, restarts: d.restarts, ...(placements ? { placements } : {}) });

  switch (d.action) {
    case 'restart-in-place':
      return emit(...head, restarted('in-place', known));
    case 'hang-restart':
      return emit(...head, restarted('hang', known));
    case 'reschedule-pod': {
      // Without placements the moved tasks wait for the scheduler (PlaceTasks); with them (an older
      // fault manager's decision, still in the log) they move at once.
      if (data.placements === undefined) {
        if (known.length === 0) return reject(ErrorCode.ValidationFailed, RecoveryRejection.InvalidPlacements, 'a pod reschedule needs a task to move', [{ path: 'decision.tasks', code: FieldCode.Required, message: 'no task to move' }]);
        return emit(...head, restarted('pod', known));
      }
      const errors = podPlacementErrors(state, known, data.placements);
      if (errors.length) return reject(ErrorCode.ValidationFailed, RecoveryRejection.InvalidPlacements, 'a pod reschedule needs one placement per moved task', errors);
      return emit(...head, restarted('pod', known, data.placements));
    }
    case 'reschedule-job': {
      const all = state.tasks.map((t) => t.name);
      const r = restarted('job', all);
      // Nothing holds a process: back in the queue (first priority) in the same commit.
      const after = evolveTrainingJob(evolveTrainingJob(state, decided), r);
      return activeTasks(after).length === 0
        ? emit(...head, r, event('JobQueued', now, { priority: state.priority, requeue: 'fault-recovery' }))
        : emit(...head, r);
    }
    case 'fail': {
      const task = d.fault.task !== undefined ? findTask(state, d.fault.task) : undefined;
      return emit(
        ...head,
        event('JobFailed', now, {
          attempt,
          reason: d.rule,
          ...(task ? { task: task.name, exitCode: task.exitCode } : {}),
          message: d.message,
        }),
      );
    }
    case 'none':
      return emit(...head);
    default: {
      const _exhaustive: never = d.action;
      return _exhaustive;
    }
  }
}

function podPlacementErrors(state: ExistingTrainingJob, tasks: string[], placements: TaskPlacement[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const byTask = new Map((placements ?? []).map((p) => [p.task, p]));
  for (const name of tasks) {
    const p = byTask.get(name);
    const t = findTask(state, name)!;
    if (!p) errors.push({ path: 'placements', code: FieldCode.Required, message: `${name} has no placement` });
    else if (p.index !== t.index || typeof p.nodeId !== 'string' || !SUBJECT_TOKEN.test(p.nodeId) || !p.host) {
      errors.push({ path: `placements.${name}`, code: FieldCode.InvalidFormat, message: `${name} needs index ${t.index}, a node id and a host` });
    }
  }
  if (tasks.length === 0) errors.push({ path: 'decision.tasks', code: FieldCode.Required, message: 'no task to move' });
  return errors;
}

function recordFailureAnalysis({ data, metadata }: RecordFailureAnalysis, state: TrainingJob): JobDecision {
  if (state.status === 'none' || state.status === 'deleted') return reject(ErrorCode.NotFound, RecoveryRejection.JobNotFound, 'no such job');
  if (!findTask(state, data.task)) return reject(ErrorCode.ValidationFailed, RecoveryRejection.UnknownTask, `job ${state.jobId} has no task ${data.task}`);
  return emit(event('FailureAnalysed', metadata.now, { attempt: data.attempt, task: data.task, analysis: data.analysis }));
}

/**
 * The scheduler's placement of tasks a pod reschedule left without a node. It is recorded as a
 * `JobScheduled` of the current attempt naming only those tasks: evolve and the read model already
 * read it as "these tasks get this node" (MA_SCHEDULE_CNT + 1), and the survivors are untouched.
 */
function placeTasks({ data, metadata }: PlaceTasks, state: TrainingJob): JobDecision {
  if (state.status === 'none' || state.status === 'deleted') return reject(ErrorCode.NotFound, RecoveryRejection.JobNotFound, 'no such job');
  if (!live(state)) return reject(ErrorCode.IllegalState, RecoveryRejection.NotRecoverable, `job ${state.jobId} is ${state.status}; only a running job has tasks to place`);
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const p of data.placements ?? []) {
    const t = findTask(state, p.task);
    if (!t || t.status !== 'pending' || t.attempt !== state.attempt || seen.has(p.task)) {
      return reject(ErrorCode.IllegalState, RecoveryRejection.NothingToPlace, `${p.task} of job ${state.jobId} is not waiting for a node`);
    }
    seen.add(p.task);
    if (p.index !== t.index || typeof p.nodeId !== 'string' || !SUBJECT_TOKEN.test(p.nodeId) || !p.host) {
      errors.push({ path: `placements.${p.task}`, code: FieldCode.InvalidFormat, message: `${p.task} needs index ${t.index}, a node id and a host` });
    }
  }
  if (seen.size === 0) errors.push({ path: 'placements', code: FieldCode.Required, message: 'no task to place' });
  if (errors.length) return reject(ErrorCode.ValidationFailed, RecoveryRejection.InvalidPlacements, 'one valid placement per waiting task', errors);
  const placements = [...data.placements].sort((a, b) => a.index - b.index);
  return emit(event('JobScheduled', metadata.now, { attempt: state.attempt, placements }));
}

/** Decides one recovery command. */
export function decideTrainingJobRecovery(command: TrainingJobRecoveryCommand, state: TrainingJob): JobDecision {
  switch (command.type) {
    case 'ApplyRecovery':
      return applyRecovery(command, state);
    case 'RecordFailureAnalysis':
      return recordFailureAnalysis(command, state);
    case 'PlaceTasks':
      return placeTasks(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
