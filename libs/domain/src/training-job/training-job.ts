import type { JobEvent, JobWaitReason, RequeueReason, RestartCount, TaskExitReason, TrainingJobSpec } from '@trainyard/contracts';
import { recordOf, type RecoveryRecord } from '../recovery/recovery-record';
import { isEnded, type JobStatus } from './job-status';
import { waitCause } from './wait-reason';

/**
 * The training-job aggregate: its state and `evolve`. Commands and `decide` are in
 * `training-job.decide.ts`. The events themselves are the contracts' `JobEvent` union.
 */

/** Lifecycle of one task (`worker-<i>`) within the job's current attempt. */
export type TaskStatus = 'pending' | 'assigned' | 'running' | 'succeeded' | 'failed' | 'stopped' | 'lost';

/**
 * One task of the job, as of its latest attempt.
 *
 * @example
 * ```ts
 * { name: 'worker-0', index: 0, status: 'running', nodeId: 'gpu-01', host: '10.0.0.7', attempt: 1,
 *   exitCode: null, procStartCount: 1, scheduleCount: 1 }
 * ```
 */
export interface TaskState {
  name: string;
  index: number;
  status: TaskStatus;
  nodeId?: string;
  host?: string;
  /** Job-level attempt this task state belongs to (0 before the first JobScheduled). */
  attempt: number;
  /** Last exit code of this attempt; null when killed by a signal or not exited. */
  exitCode: number | null;
  signal?: string | null;
  exitReason?: TaskExitReason;
  pid?: number;
  /** Outcome of this attempt's pre-check (W01, or W02/W03), once reported. */
  precheck?: 'passed' | 'failed';
  /** `MA_PROC_START_CNT`: starts of the script in the current placement (0 before the first). */
  procStartCount: number;
  /** `MA_SCHEDULE_CNT`: times the task was placed (0 before the first). */
  scheduleCount: number;
  /**
   * Set while an in-place restart is pending (fault manager): the agent must start the script again
   * with this `MA_PROC_START_CNT`; exits of older processes are stale.
   */
  restartTo?: number;
}

/** Why and by whom a stop was requested. */
export interface StopRequest {
  by: string;
  reason: 'user' | 'max-run-time';
  maxRunHours?: number;
}

/** A preemption in progress: the job is terminating its tasks and will be queued again. */
export interface PendingPreemption {
  /** The job that needs the capacity. */
  by: string;
  byPriority: number;
  /** SIGTERM → SIGKILL delay of the stop requests. */
  graceMs: number;
  at: string;
  /** Quota reclaim rather than a higher priority. */
  reclaim?: boolean;
}

/** The job went back to the queue after it was dispatched; it queues at first priority. */
export interface Requeue {
  reason: RequeueReason;
  /** When it was queued again: the re-queue wait limit counts from here. */
  at: string;
}

/**
 * What fault recovery has done to the job (issue 5): its decisions (the policy's history), the
 * re-dispatches used ("当前重启次数/最大重启次数", L7677-7678), and a job reschedule in progress.
 */
export interface JobRecovery {
  history: RecoveryRecord[];
  restarts: RestartCount;
  podRestarts?: RestartCount;
  /** Set while a job reschedule stops the tasks (status `terminating`); the job then queues again. */
  rescheduling?: { at: string; rule: string };
}

/** Why the job failed or became abnormal (first failure only). */
export interface JobFailure {
  reason: string;
  task?: string;
  exitCode?: number | null;
}

/** Before JobCreated: the job does not exist. */
export interface NoTrainingJob {
  status: 'none';
}

/**
 * A job that exists (from JobCreated on, including `deleted`).
 *
 * @example
 * ```ts
 * { status: 'running', jobId: 'j1', spec, priority: 1, attempt: 1, dispatched: true, createdBy: 'user:ada',
 *   createdAt: '2026-03-13T10:00:00Z', startedAt: '2026-03-13T10:00:05Z', tasks: [ ... ] }
 * ```
 */
export interface ExistingTrainingJob {
  status: Exclude<JobStatus, 'none'>;
  jobId: string;
  /** With defaults applied (`withDefaults`). */
  spec: TrainingJobSpec;
  priority: number;
  /** Job-level dispatch count: 0 before the first JobScheduled, then the attempt of the latest one. */
  attempt: number;
  /** True once placements of the current attempt are committed; priority is frozen from then on (L11791). */
  dispatched: boolean;
  /** When the current attempt was placed (its JobScheduled): preparation runs from here to JobStarted (J03). */
  dispatchedAt?: string;
  createdBy: string;
  createdAt: string;
  /** First JobStarted (running time is counted from here; queueing is not, L2061–2062). */
  startedAt?: string;
  /** Start of the current run (JobStarted of the latest attempt); unset while not running. */
  attemptStartedAt?: string;
  /**
   * Running time of earlier runs, in ms (an attempt that was preempted). Running time so far is this
   * plus `now - attemptStartedAt` while running; queueing never counts (L2061–2062, L9071–9072).
   */
  ranMs?: number;
  /** Set while a preemption stops the tasks (status `terminating`). */
  preemption?: PendingPreemption;
  /** Times the job was preempted (issue 16); a preemption never counts against its retry budget. */
  preemptions?: number;
  /** The last preemptions of this job, newest last (at most 5): what the cycle guard reads. */
  preemptedBy?: { by: string; at: string }[];
  /** When a task last acknowledged "checkpoint written" (`TaskCheckpointed`). */
  checkpointAt?: string;
  /** Set while a job that already ran waits in the queue again (first priority). */
  requeue?: Requeue;
  /** The latest reason the job waits (JobWaiting); cleared when it is placed. */
  waitReason?: JobWaitReason;
  /**
   * When that reason was recorded, and how many JobWaiting of the same cause came since the cause
   * last changed: what bounds the refreshes (`waitReasonWorthRecording`). Cleared with it.
   */
  waitRecord?: { at: string; refreshes: number };
  /** When the job reached an outcome state. */
  endedAt?: string;
  stop?: StopRequest;
  failure?: JobFailure;
  deletedBy?: string;
  tasks: TaskState[];
  /** Fault recovery so far; absent until the first decision. */
  recovery?: JobRecovery;
  /** The latest suspected hang (J10): repeated reports of the same hang are ignored. */
  hang?: { at: string; starts: number };
}

/** The state of one training job, a union on `status`. */
export type TrainingJob = NoTrainingJob | ExistingTrainingJob;

export const initialTrainingJob = (): TrainingJob => ({ status: 'none' });

/** Task statuses that hold (or are about to hold) a process on a node. */
export const isActiveTask = (t: TaskState): boolean => t.status === 'assigned' || t.status === 'running';

/** Tasks that hold or are about to hold a process. */
export function activeTasks(state: TrainingJob): TaskState[] {
  return state.status === 'none' ? [] : state.tasks.filter(isActiveTask);
}

/** Exited tasks a running job may still restart in place, on the node (and cards) they ran on (J11). */
export const RESTARTABLE_EXITS: readonly TaskStatus[] = ['failed', 'succeeded'];

/**
 * Tasks that hold their node's capacity and cards: the active ones and, while the job runs, those of its
 * current attempt that exited on their node — the fault manager may restart them in place there. Counting
 * such a node free between a worker's exit and its in-place restart let another job take it (the history
 * replay found a node holding 2.5 of its 2 cpus). A pod move, a job reschedule or the job's end lets go.
 */
export function tasksHoldingNodes(state: TrainingJob): TaskState[] {
  if (state.status === 'none') return [];
  const restartable = state.status === 'running';
  return state.tasks.filter((t) => isActiveTask(t) || (restartable && t.nodeId !== undefined && t.attempt === state.attempt && RESTARTABLE_EXITS.includes(t.status)));
}

/**
 * Tasks the node agents must stop: active tasks of a job that is terminating or has ended (a failed
 * job's surviving workers, a deleted job's stragglers). Empty while the job may still run.
 */
export function tasksToStop(state: TrainingJob): TaskState[] {
  if (state.status === 'none') return [];
  return state.status === 'terminating' || isEnded(state.status) ? activeTasks(state) : [];
}

/**
 * Running time so far in ms: earlier runs plus the current one (queueing excluded), as the auto stop
 * (`spec.maxRunHours`) counts it.
 */
export function runningMs(state: TrainingJob, now: string): number {
  if (state.status === 'none') return 0;
  const current = state.attemptStartedAt && state.status === 'running' ? Math.max(0, Date.parse(now) - Date.parse(state.attemptStartedAt)) : 0;
  return (state.ranMs ?? 0) + current;
}

/** The task named `name`, if the job has one. */
export function findTask(state: ExistingTrainingJob, name: string): TaskState | undefined {
  return state.tasks.find((t) => t.name === name);
}

function exitedStatus(reason: TaskExitReason, exitCode: number | null): TaskStatus {
  switch (reason) {
    case 'exited':
      return exitCode === 0 ? 'succeeded' : 'failed';
    case 'launch-failed':
    case 'precheck-failed':
    case 'user-error':
      return 'failed';
    case 'stopped':
      return 'stopped';
    case 'lost':
      return 'lost';
    default: {
      const _exhaustive: never = reason;
      return _exhaustive;
    }
  }
}

const updateTask = (s: ExistingTrainingJob, name: string, f: (t: TaskState) => TaskState): TaskState[] =>
  s.tasks.map((t) => (t.name === name ? f(t) : t));

/**
 * Applies one event. Total and pure: an event that does not fit the state (a corrupted or foreign
 * history) leaves the state unchanged rather than throwing, so a replay never stops half-way.
 */
export function evolveTrainingJob(state: TrainingJob, event: JobEvent): TrainingJob {
  if (state.status === 'none') {
    if (event.type !== 'JobCreated') return state;
    const { jobId, spec, tasks, createdBy } = event.data;
    return {
      status: 'creating',
      jobId,
      spec,
      priority: spec.spec.priority ?? 1,
      attempt: 0,
      dispatched: false,
      createdBy,
      createdAt: event.time,
      tasks: tasks.map((name, index) => ({ name, index, status: 'pending', attempt: 0, exitCode: null, procStartCount: 0, scheduleCount: 0 })),
    };
  }
  const s = state;
  switch (event.type) {
    case 'JobCreated':
      return s;
    case 'JobQueued': {
      if (!event.data.requeue) return { ...s, status: 'waiting', priority: event.data.priority };
      // Back in the queue after a run: the attempt's running time is banked, placements are released.
      const { preemption: _done, attemptStartedAt: _ended, hang: _over, ...rest } = s;
      const ran = s.attemptStartedAt ? Math.max(0, Date.parse(event.time) - Date.parse(s.attemptStartedAt)) : 0;
      return {
        ...rest,
        ...(s.recovery ? { recovery: withoutRescheduling(s.recovery) } : {}),
        status: 'waiting',
        priority: event.data.priority,
        dispatched: false,
        ranMs: (s.ranMs ?? 0) + ran,
        requeue: { reason: event.data.requeue, at: event.time },
      };
    }
    case 'JobScheduled': {
      const byTask = new Map(event.data.placements.map((p) => [p.task, p]));
      const { requeue: _placed, waitReason: _noLonger, waitRecord: _recorded, ...rest } = s;
      return {
        ...rest,
        attempt: event.data.attempt,
        dispatched: true,
        dispatchedAt: event.time,
        tasks: s.tasks.map((t) => {
          const p = byTask.get(t.name);
          if (!p) return t;
          return {
            name: t.name,
            index: t.index,
            status: 'assigned',
            nodeId: p.nodeId,
            host: p.host,
            attempt: event.data.attempt,
            exitCode: null,
            procStartCount: 0,
            scheduleCount: t.scheduleCount + 1,
          };
        }),
      };
    }
    case 'JobStarted':
      return { ...s, status: 'running', startedAt: s.startedAt ?? event.time, attemptStartedAt: event.time };
    case 'TaskStarted': {
      const d = event.data;
      return {
        ...s,
        tasks: updateTask(s, d.task, (t) => {
          const { restartTo, ...rest } = t;
          return {
            ...rest,
            // The restart asked for has happened (or a later one has).
            ...(restartTo !== undefined && d.procStartCount < restartTo ? { restartTo } : {}),
            status: 'running',
            nodeId: d.nodeId,
            procStartCount: d.procStartCount,
            ...(d.pid !== undefined ? { pid: d.pid } : {}),
          };
        }),
      };
    }
    case 'TaskExited': {
      const d = event.data;
      return {
        ...s,
        tasks: updateTask(s, d.task, (t) => ({
          ...t,
          status: exitedStatus(d.reason, d.exitCode),
          exitCode: d.exitCode,
          signal: d.signal ?? null,
          exitReason: d.reason,
        })),
      };
    }
    case 'TaskPrecheckCompleted':
    case 'TaskPrecheckAbnormal':
    case 'TaskPrecheckError': {
      const d = event.data;
      if (d.attempt !== s.attempt) return s;
      const precheck = event.type === 'TaskPrecheckCompleted' ? 'passed' : 'failed';
      return { ...s, tasks: updateTask(s, d.task, (t) => ({ ...t, precheck })) };
    }
    case 'JobSucceeded':
      return { ...s, status: 'completed', endedAt: event.time };
    case 'JobFailed': {
      const { reason, task, exitCode } = event.data;
      return { ...s, status: 'failed', endedAt: event.time, failure: { reason, ...(task !== undefined ? { task } : {}), ...(exitCode !== undefined ? { exitCode } : {}) } };
    }
    case 'JobAbnormal':
      return { ...s, status: 'abnormal', endedAt: event.time, failure: { reason: event.data.reason } };
    case 'JobStopRequested': {
      const { by, reason, maxRunHours } = event.data;
      // A stop overrides a preemption (or a job reschedule) in progress: the job ends instead of queueing again.
      const { preemption: _overridden, ...rest } = s;
      return {
        ...rest,
        ...(s.recovery ? { recovery: withoutRescheduling(s.recovery) } : {}),
        status: 'terminating',
        stop: { by, reason, ...(maxRunHours !== undefined ? { maxRunHours } : {}) },
      };
    }
    case 'JobTerminated':
      return { ...s, status: 'terminated', endedAt: event.time };
    case 'JobPriorityChanged':
      return { ...s, priority: event.data.to };
    case 'JobMetadataUpdated': {
      const { by: _by, experiment, ...changes } = event.data;
      const { experiment: _old, ...metadata } = { ...s.spec.metadata, ...changes };
      const next = experiment === undefined ? { ...s.spec.metadata, ...changes } : experiment === null ? metadata : { ...metadata, experiment };
      return { ...s, spec: { ...s.spec, metadata: next } };
    }
    case 'JobPreempted':
      return {
        ...s,
        status: 'terminating',
        preemption: { by: event.data.by, byPriority: event.data.byPriority, graceMs: event.data.graceMs, at: event.time, ...(event.data.reclaim ? { reclaim: true } : {}) },
        preemptions: (s.preemptions ?? 0) + 1,
        preemptedBy: [...(s.preemptedBy ?? []), { by: event.data.by, at: event.time }].slice(-5),
      };
    case 'TaskCheckpointed':
      return { ...s, checkpointAt: event.time };
    case 'PreemptionCycleStopped':
    // An exec is history and audit; the job's state does not change.
    case 'TaskExecRequested':
      return s;
    case 'JobWaiting': {
      const sameCause = s.waitReason !== undefined && waitCause(s.waitReason) === waitCause(event.data.reason);
      return { ...s, waitReason: event.data.reason, waitRecord: { at: event.time, refreshes: sameCause ? (s.waitRecord?.refreshes ?? 0) + 1 : 0 } };
    }
    case 'JobDeletionRequested':
      return { ...s, status: 'deleting', deletedBy: event.data.by };
    case 'JobDeleted':
      return { ...s, status: 'deleted', deletedBy: event.data.by };
    case 'RecoveryDecided': {
      const d = event.data;
      const history = [...(s.recovery?.history ?? []), recordOf(event.time, d)];
      return { ...s, recovery: { ...s.recovery, history, restarts: d.restarts, ...(d.podRestarts ? { podRestarts: d.podRestarts } : {}) } };
    }
    case 'JobRestarted':
      return evolveRestart(s, event);
    case 'JobSuspectedHang':
      return { ...s, hang: { at: event.time, starts: totalStarts(s) } };
    case 'FailureAnalysed':
    case 'TaskCodeDownloadFailed':
    case 'TaskInputDownloaded':
    case 'TaskInputDownloadFailed':
    case 'TaskOutputUploaded':
    case 'TaskOutputPrefetched':
      return s;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function withoutRescheduling(r: JobRecovery): JobRecovery {
  const { rescheduling: _done, ...rest } = r;
  return rest;
}

/** Sum of every task's `MA_PROC_START_CNT`: it grows with every restart, so a hang after one is a new hang. */
export function totalStarts(s: ExistingTrainingJob): number {
  return s.tasks.reduce((n, t) => n + t.procStartCount + (t.restartTo ?? 0), 0);
}

/**
 * J11: in place (and after a hang) every listed task waits to run its start command again on its node;
 * a pod reschedule moves the placed tasks (`MA_SCHEDULE_CNT` + 1, `MA_PROC_START_CNT` from 1) and
 * restarts the others in place; a job reschedule stops everything and queues the job again.
 */
function evolveRestart(s: ExistingTrainingJob, event: Extract<JobEvent, { type: 'JobRestarted' }>): ExistingTrainingJob {
  const d = event.data;
  // A task that never started (its first launch is still pending, or its pre-check failed) starts at 2
  // too: the agent's assignment already says 1, and a restart must name a higher count.
  const again = (t: TaskState): TaskState => {
    const { exitReason: _e, signal: _s, ...rest } = t;
    return { ...rest, status: 'assigned', exitCode: null, restartTo: Math.max(t.procStartCount, t.restartTo ?? 0, 1) + 1 };
  };
  switch (d.mode) {
    case 'in-place':
    case 'hang': {
      const listed = new Set(d.tasks);
      return { ...s, tasks: s.tasks.map((t) => (listed.has(t.name) ? again(t) : t)) };
    }
    case 'pod': {
      const moved = new Map((d.placements ?? []).map((p) => [p.task, p]));
      const listed = new Set(d.tasks);
      const tasks = s.tasks.map((t): TaskState => {
        const p = moved.get(t.name);
        // Moved without a placement: the task waits for the scheduler (the only placer) to give it a
        // node, at the same attempt; its old node is released (and fenced by the fault manager).
        if (!p && listed.has(t.name) && !d.placements) return { name: t.name, index: t.index, status: 'pending', attempt: t.attempt, exitCode: null, procStartCount: 0, scheduleCount: t.scheduleCount };
        if (!p) return t.status === 'succeeded' ? t : again(t);
        return { name: t.name, index: t.index, status: 'assigned', nodeId: p.nodeId, host: p.host, attempt: t.attempt, exitCode: null, procStartCount: 0, scheduleCount: t.scheduleCount + 1 };
      });
      return { ...s, tasks };
    }
    case 'job':
      return { ...s, status: 'terminating', recovery: { ...(s.recovery ?? { history: [], restarts: d.restarts }), rescheduling: { at: event.time, rule: s.recovery?.history.at(-1)?.rule ?? 'job' } } };
    default: {
      const _exhaustive: never = d.mode;
      return _exhaustive;
    }
  }
}
