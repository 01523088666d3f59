import { type DomainEvent, eventText, type StoredCommit, type TaskExitReason } from '@trainyard/contracts';
import type { JobRowUpdate, NewJobEventRow } from '../database';
import type { TaskState } from '../states';
import type { RowChange } from './row-change';
import { UnknownEventType } from './unknown-event-type';

/**
 * The rows one commit on `ty.ev.job.<jobId>` writes: the job row, its tasks, one `job_events` row per
 * event. Pure: times come from the events, so replaying the same commits gives the same rows.
 *
 * Job-row updates of one commit are merged into one `update-job` that also stamps `updated_at` (time
 * of the commit's last event) and `last_seq`; task updates keep event order. The job's state follows
 * the domain's `evolveTrainingJob` (libs/domain), so the console shows what the deciders see.
 */
export function jobChanges(jobId: string, commit: StoredCommit): RowChange[] {
  const changes: RowChange[] = [];
  const job: JobRowUpdate = {};
  const ifNull: IfNull = {};
  const events: NewJobEventRow[] = [];

  commit.events.forEach((e, idx) => {
    applyEvent(e, jobId, commit.seq, { job, ifNull }, changes);
    const text = eventText(e);
    events.push({
      seq: commit.seq,
      idx,
      job_id: jobId,
      type: e.type,
      time: e.time,
      task: 'task' in e.data && typeof e.data.task === 'string' ? e.data.task : null,
      message: text.en,
      message_zh: text.zh,
      data: JSON.stringify(e.data),
      actor: commit.meta.actor,
    });
  });

  const last = commit.events.at(-1);
  if (last) {
    const set = { ...job, updated_at: last.time, last_seq: commit.seq };
    changes.push({ kind: 'update-job', id: jobId, set, ...(Object.keys(ifNull).length ? { setIfNull: ifNull } : {}) });
  }
  if (events.length) changes.push({ kind: 'insert-job-events', rows: events });
  return changes;
}

type IfNull = NonNullable<(RowChange & { kind: 'update-job' })['setIfNull']>;

/** Folds one event into the pending job update and appends its task changes. */
function applyEvent(e: DomainEvent, jobId: string, seq: number, { job, ifNull }: { job: JobRowUpdate; ifNull: IfNull }, changes: RowChange[]): void {
  switch (e.type) {
    case 'JobCreated': {
      const { spec, tasks, createdBy } = e.data;
      changes.push({
        kind: 'insert-job',
        row: {
          id: jobId,
          name: spec.metadata.name,
          description: spec.metadata.description ?? null,
          state: 'creating',
          priority: spec.spec.priority ?? 1,
          spec: JSON.stringify(spec),
          node_count: spec.spec.resource.nodeCount ?? tasks.length,
          attempt: 0,
          dispatched: false,
          reason: null,
          created_at: e.time,
          started_at: null,
          ended_at: null,
          updated_at: e.time,
          created_by: createdBy,
          last_seq: seq,
        },
      });
      changes.push({
        kind: 'insert-tasks',
        rows: tasks.map((name, index) => ({
          job_id: jobId,
          name,
          index,
          state: 'pending',
          node_id: null,
          attempt: 0,
          exit_code: null,
          signal: null,
          proc_start_count: 0,
          started_at: null,
          ended_at: null,
        })),
      });
      return;
    }
    case 'JobQueued':
      // A re-queue after a run releases the placements: the job waits undispatched at first priority.
      Object.assign(job, { state: 'waiting', priority: e.data.priority }, e.data.requeue ? { dispatched: false, requeue: e.data.requeue } : {});
      return;
    case 'JobScheduled': {
      const { attempt, placements } = e.data;
      // The state does not change (waiting until a task starts, as in the domain's evolve).
      Object.assign(job, { attempt, dispatched: true, wait_reason: null, requeue: null });
      for (const p of placements) {
        changes.push({
          kind: 'update-task',
          jobId,
          name: p.task,
          attempt,
          set: { state: 'assigned', node_id: p.nodeId, attempt, exit_code: null, signal: null, proc_start_count: 0, started_at: null, ended_at: null },
        });
      }
      return;
    }
    case 'JobStarted':
      // Running time counts from the first start (queueing is not counted, L2061–2062).
      Object.assign(job, { state: 'running' });
      ifNull.started_at ??= e.time;
      return;
    case 'TaskStarted': {
      const { task, attempt, nodeId, procStartCount } = e.data;
      changes.push({
        kind: 'update-task',
        jobId,
        name: task,
        attempt,
        set: { state: 'running', node_id: nodeId, attempt, proc_start_count: procStartCount, started_at: e.time, ended_at: null, exit_code: null, signal: null },
      });
      return;
    }
    case 'TaskExited': {
      const { task, attempt, nodeId, exitCode, signal, reason } = e.data;
      changes.push({
        kind: 'update-task',
        jobId,
        name: task,
        attempt,
        set: { state: exitState(reason, exitCode), node_id: nodeId, attempt, exit_code: exitCode, signal: signal ?? null, ended_at: e.time },
      });
      return;
    }
    case 'TaskPrecheckCompleted':
    case 'TaskPrecheckAbnormal':
    case 'TaskPrecheckError':
    case 'TaskCodeDownloadFailed':
    case 'TaskInputDownloaded':
    case 'TaskInputDownloadFailed':
    case 'TaskOutputUploaded':
    case 'TaskOutputPrefetched':
      // History only (job_events): the task row changes with the start or the exit that follows.
      return;
    case 'JobSucceeded':
      Object.assign(job, { state: 'completed', ended_at: e.time });
      return;
    case 'JobFailed':
      Object.assign(job, { state: 'failed', ended_at: e.time, reason: e.data.reason });
      return;
    case 'JobAbnormal':
      Object.assign(job, { state: 'abnormal', ended_at: e.time, reason: e.data.reason });
      return;
    case 'JobStopRequested':
      Object.assign(job, { state: 'terminating', reason: e.data.reason });
      return;
    case 'JobTerminated':
      Object.assign(job, { state: 'terminated', ended_at: e.time, reason: e.data.reason });
      return;
    case 'JobPriorityChanged':
      Object.assign(job, { priority: e.data.to });
      return;
    case 'JobMetadataUpdated': {
      const { by: _by, ...patch } = e.data;
      changes.push({ kind: 'patch-job-metadata', id: jobId, patch });
      return;
    }
    case 'JobPreempted':
      Object.assign(job, { state: 'terminating', reason: 'preempted', preempted_by: e.data.by });
      return;
    case 'JobWaiting':
      Object.assign(job, { wait_reason: JSON.stringify(e.data.reason) });
      return;
    case 'JobDeletionRequested':
      Object.assign(job, { state: 'deleting' });
      return;
    case 'JobDeleted':
      // The row stays (its history and logs stay reachable); listJobs hides it by default.
      Object.assign(job, { state: 'deleted' });
      return;
    case 'RecoveryDecided':
      Object.assign(job, { restarts: JSON.stringify(e.data.restarts) });
      return;
    case 'JobRestarted':
      applyRestart(e, jobId, job, changes);
      return;
    case 'JobSuspectedHang':
    case 'FailureAnalysed':
    case 'TaskCheckpointed':
    case 'TaskExecRequested':
    case 'PreemptionCycleStopped':
      // Shown from job_events (the J10 notice, the analysis with the job); no column changes.
      return;
    case 'NodeRegistered':
    case 'TaskAssigned':
    case 'TaskStopRequested':
    case 'TaskRestartRequested':
    case 'TaskReleased':
    case 'NodeSuspect':
    case 'NodeIsolated':
    case 'NodeDraining':
    case 'NodeReturned':
    case 'TokenCreated':
    case 'TokenRevoked':
    case 'ProjectCreated':
    case 'RoleBound':
    case 'RoleUnbound':
    case 'QuotaSet':
    case 'QuotaRemoved':
    case 'NodeJoinTokenIssued':
    case 'NodeJoinTokenRedeemed':
    case 'NotificationSubscribed':
    case 'NotificationUnsubscribed':
    case 'SearchCreated':
    case 'TrialStarted':
    case 'TrialReported':
    case 'TrialPruned':
    case 'TrialEnded':
    case 'BestTrialChanged':
    case 'SearchStopped':
    case 'SearchEnded':
      // Node, identity, subscription and search events belong on their own subjects; on a job subject they are history only.
      return;
    default: {
      const unknown: never = e;
      throw new UnknownEventType((unknown as { type: string }).type, seq);
    }
  }
}

/**
 * J11, as the domain's evolve reads it: tasks restarting in place wait for their new start
 * (`assigned`); moved tasks get their new node; a job reschedule stops every task (终止中) first.
 */
function applyRestart(e: DomainEvent<'JobRestarted'>, jobId: string, job: JobRowUpdate, changes: RowChange[]): void {
  const { attempt, mode, tasks, placements } = e.data;
  const again = { state: 'assigned' as const, exit_code: null, signal: null, ended_at: null };
  switch (mode) {
    case 'in-place':
    case 'hang':
      for (const name of tasks) changes.push({ kind: 'update-task', jobId, name, attempt, set: again });
      return;
    case 'pod': {
      // Without placements the moved tasks wait for the scheduler to place them (PlaceTasks → JobScheduled).
      if (!placements) {
        for (const name of tasks) changes.push({ kind: 'update-task', jobId, name, attempt, set: { state: 'pending', node_id: null, exit_code: null, signal: null, proc_start_count: 0, started_at: null, ended_at: null } });
        return;
      }
      const moved = new Map(placements.map((p) => [p.task, p]));
      for (const [name, p] of moved) {
        changes.push({ kind: 'update-task', jobId, name, attempt, set: { ...again, node_id: p.nodeId, proc_start_count: 0, started_at: null } });
      }
      return;
    }
    case 'job':
      Object.assign(job, { state: 'terminating', reason: 'fault-recovery' });
      return;
  }
}

function exitState(reason: TaskExitReason, exitCode: number | null): TaskState {
  switch (reason) {
    case 'exited':
      return exitCode === 0 ? 'succeeded' : 'failed';
    case 'stopped':
      return 'stopped';
    case 'lost':
      return 'lost';
    case 'launch-failed':
    case 'precheck-failed':
    case 'user-error':
      return 'failed';
  }
}
