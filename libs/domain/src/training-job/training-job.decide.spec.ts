import { ErrorCode, FieldCode, TrainyardError, event, withDefaults, type JobEvent } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { CommandRejectedError, decideOrThrow, fold } from '../decider';
import { DeciderSpec, T0, T1, aSpec, cmd, createdHistory, placementsFor, runningHistory, scheduledHistory, tasksOf } from '@trainyard/testing/domain';
import { JOB_STATUSES, isTerminal } from './job-status';
import { activeTasks, tasksToStop, type ExistingTrainingJob } from './training-job';
import {
  JobRejection,
  trainingJobDecider,
  type ChangePriority,
  type DeclareJobAbnormal,
  type DeleteJob,
  type ReportTaskExited,
  type ReportTaskStarted,
  type ScheduleJob,
  type StopJob,
  type SubmitJob,
} from './training-job.decide';

const spec = DeciderSpec.for(trainingJobDecider);

const submit = (data: Partial<SubmitJob['data']> = {}) =>
  cmd<SubmitJob>('SubmitJob', { jobId: 'j1', spec: aSpec(), createdBy: 'user:ada', ...data });
const schedule = (n = 2) => cmd<ScheduleJob>('ScheduleJob', { placements: placementsFor(n) });
const started = (i: number, data: Partial<ReportTaskStarted['data']> = {}) =>
  cmd<ReportTaskStarted>('ReportTaskStarted', { task: `worker-${i}`, attempt: 1, nodeId: `node-${i}`, procStartCount: 1, ...data });
const exited = (i: number, exitCode: number | null, data: Partial<ReportTaskExited['data']> = {}) =>
  cmd<ReportTaskExited>('ReportTaskExited', { task: `worker-${i}`, attempt: 1, nodeId: `node-${i}`, exitCode, reason: 'exited', ...data });
const stop = (data: Partial<StopJob['data']> = {}) => cmd<StopJob>('StopJob', { by: 'user:ada', reason: 'user', ...data });
const del = () => cmd<DeleteJob>('DeleteJob', { by: 'user:ada' });
const priority = (to: number, permissions: string[] = []) => cmd<ChangePriority>('ChangePriority', { to, by: 'user:ada', permissions });

const exitEvent = (i: number, exitCode: number | null, reason: 'exited' | 'stopped' | 'lost' | 'launch-failed' = 'exited') =>
  event('TaskExited', T1, { task: `worker-${i}`, attempt: 1, nodeId: `node-${i}`, exitCode, reason });
const completedHistory = (): JobEvent[] => [...runningHistory(), exitEvent(0, 0), exitEvent(1, 0), event('JobSucceeded', T1, { attempt: 1 })];
const failedHistory = (): JobEvent[] => [...runningHistory(), exitEvent(0, 1), event('JobFailed', T1, { attempt: 1, reason: 'non-zero-exit', task: 'worker-0', exitCode: 1 })];
const terminatingHistory = (reason: 'user' | 'max-run-time' = 'user', maxRunHours?: number): JobEvent[] => [
  ...runningHistory(),
  event('JobStopRequested', T1, { by: 'user:ada', reason, ...(maxRunHours ? { maxRunHours } : {}) }),
];

describe('training job - SubmitJob', () => {
  it('creates and queues the job with defaults applied and one task per instance', () => {
    const full = withDefaults(aSpec());
    spec.given([]).when(submit()).then([
      event('JobCreated', T1, { jobId: 'j1', spec: full, tasks: ['worker-0', 'worker-1'], createdBy: 'user:ada' }),
      event('JobQueued', T1, { priority: 1 }),
    ]);
  });

  it('lands in waiting with attempt 0 and every task pending', () => {
    const s = spec.given([]).when(submit()).then(createdHistory(aSpec(), 'j1', T1)) as ExistingTrainingJob;
    expect(s.status).toBe('waiting');
    expect(s.attempt).toBe(0);
    expect(s.dispatched).toBe(false);
    expect(s.tasks.map((t) => [t.name, t.status, t.procStartCount, t.scheduleCount])).toEqual([
      ['worker-0', 'pending', 0, 0],
      ['worker-1', 'pending', 0, 0],
    ]);
  });

  it('refuses a second submit of the same job id', () => {
    spec.given(createdHistory()).when(submit()).then({ code: ErrorCode.IllegalState, reason: JobRejection.JobAlreadyExists });
  });

  it('refuses an invalid spec with every field error', () => {
    const bad = { ...aSpec(), metadata: { name: 'bad name!' } };
    const d = spec.given([]).when(submit({ spec: bad })).decision();
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.rejection).toMatchObject({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidSpec });
    expect(d.rejection.details).toEqual([expect.objectContaining({ path: 'metadata.name', code: FieldCode.InvalidFormat, rule: 'V1' })]);
  });

  it('refuses a job id that cannot be a subject token', () => {
    spec.given([]).when(submit({ jobId: 'a.b' })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidJobId });
  });

  it('needs job:setHighPriority for priority 3', () => {
    spec.given([]).when(submit({ spec: aSpec({ priority: 3 }) })).then({ code: ErrorCode.Forbidden, reason: JobRejection.HighPriorityForbidden });
    const events = spec.given([]).when(submit({ spec: aSpec({ priority: 3 }), permissions: ['job:setHighPriority'] })).thenEvents();
    expect(events[1]).toEqual(event('JobQueued', T1, { priority: 3 }));
  });
});

describe('training job - ScheduleJob', () => {
  it('dispatches attempt 1 with placements in task order', () => {
    const placements = placementsFor(2);
    const s = spec.given(createdHistory()).when(cmd<ScheduleJob>('ScheduleJob', { placements: [placements[1], placements[0]] }))
      .then([event('JobScheduled', T1, { attempt: 1, placements })]) as ExistingTrainingJob;
    expect(s).toMatchObject({ status: 'waiting', dispatched: true, attempt: 1 });
    expect(s.tasks.map((t) => [t.status, t.nodeId, t.attempt, t.scheduleCount])).toEqual([
      ['assigned', 'node-0', 1, 1],
      ['assigned', 'node-1', 1, 1],
    ]);
  });

  it('refuses a job that does not exist', () => {
    spec.given([]).when(schedule()).then(ErrorCode.NotFound);
  });

  it('refuses a job already dispatched', () => {
    spec.given(scheduledHistory()).when(schedule()).then({ code: ErrorCode.IllegalState, reason: JobRejection.NotSchedulable });
  });

  it('refuses placements that miss a task, repeat one or name an unknown one', () => {
    const [p0, p1] = placementsFor(2);
    for (const placements of [[p0], [p0, p0], [p0, p1, { ...p1, task: 'worker-7', index: 7 }], [p0, { ...p1, index: 5 }]]) {
      spec.given(createdHistory()).when(cmd<ScheduleJob>('ScheduleJob', { placements })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidPlacements });
    }
  });

  it('refuses a stopped job', () => {
    spec.given([...createdHistory(), event('JobStopRequested', T1, { by: 'u', reason: 'user' }), event('JobTerminated', T1, { reason: 'user' })])
      .when(schedule()).then(ErrorCode.IllegalState);
  });
});

describe('training job - ReportTaskStarted', () => {
  it('first start of the attempt also starts the job', () => {
    const s = spec.given(scheduledHistory()).when(started(0, { pid: 4242 })).then([
      event('TaskStarted', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', pid: 4242, procStartCount: 1 }),
      event('JobStarted', T1, { attempt: 1 }),
    ]) as ExistingTrainingJob;
    expect(s.status).toBe('running');
    expect(s.startedAt).toBe(T1);
    expect(s.tasks[0]).toMatchObject({ status: 'running', pid: 4242, procStartCount: 1 });
  });

  it('later starts record only the task', () => {
    spec.given([...scheduledHistory(), ...runningHistory().slice(3, 5)]).when(started(1))
      .then([event('TaskStarted', T1, { task: 'worker-1', attempt: 1, nodeId: 'node-1', procStartCount: 1 })]);
  });

  it('a redelivered report is a no-op', () => {
    spec.given(runningHistory()).when(started(0)).thenNothing();
  });

  it('a grown procStartCount is a process restart in place', () => {
    spec.given(runningHistory()).when(started(0, { procStartCount: 2 }))
      .then([event('TaskStarted', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', procStartCount: 2 })]);
  });

  it('a report of an older attempt is ignored', () => {
    const redispatched = [...runningHistory(), event('JobScheduled', T1, { attempt: 2, placements: placementsFor(2) })];
    spec.given(redispatched).when(started(0, { attempt: 1, procStartCount: 3 })).thenNothing();
  });

  it('is refused once the job is terminating or over, so the agent kills the process', () => {
    for (const history of [terminatingHistory(), completedHistory(), failedHistory()]) {
      spec.given(history).when(started(1, { procStartCount: 2 })).then({ code: ErrorCode.IllegalState, reason: JobRejection.JobNotActive });
    }
  });

  it('is refused for a task already reported lost, so a start held up by a partition cannot revive it', () => {
    const lost = [...scheduledHistory(), event('TaskExited', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: null, signal: null, reason: 'lost' as const })];
    spec.given(lost).when(started(0)).then({ code: ErrorCode.IllegalState, reason: JobRejection.TaskEnded });
    // Its exit that follows changes nothing either: the task is over at this attempt.
    spec.given(lost).when(exited(0, null, { reason: 'stopped', signal: 'SIGTERM' })).thenNothing();
  });

  it('is refused for an unknown job, task, future attempt or the wrong node', () => {
    spec.given([]).when(started(0)).then(ErrorCode.NotFound);
    spec.given(scheduledHistory()).when(started(5)).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.UnknownTask });
    spec.given(scheduledHistory()).when(started(0, { attempt: 2 })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.UnknownAttempt });
    spec.given(createdHistory()).when(started(0)).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.UnknownAttempt });
    spec.given(scheduledHistory()).when(started(0, { nodeId: 'node-9' })).then({ code: ErrorCode.IllegalState, reason: JobRejection.NodeMismatch });
  });
});

describe('training job - ReportTaskExited', () => {
  it('the last zero exit completes the job', () => {
    const s = spec.given([...runningHistory(), exitEvent(0, 0)]).when(exited(1, 0))
      .then([exitEvent(1, 0), event('JobSucceeded', T1, { attempt: 1 })]) as ExistingTrainingJob;
    expect(s).toMatchObject({ status: 'completed', endedAt: T1 });
  });

  it('a zero exit with tasks still running records only the task', () => {
    spec.given(runningHistory()).when(exited(0, 0)).then([exitEvent(0, 0)]);
  });

  it('a non-zero exit fails the job; later exits are still recorded', () => {
    const s = spec.given(runningHistory()).when(exited(0, 3)).then([
      exitEvent(0, 3),
      event('JobFailed', T1, { attempt: 1, reason: 'non-zero-exit', task: 'worker-0', exitCode: 3 }),
    ]);
    expect(tasksToStop(s).map((t) => t.name)).toEqual(['worker-1']);
    spec.given(failedHistory()).when(exited(1, 143)).then([exitEvent(1, 143)]);
    spec.given(failedHistory()).when(exited(1, 0)).then([exitEvent(1, 0)]);
  });

  it('a lost task or a failed launch fails the job', () => {
    spec.given(runningHistory()).when(exited(1, null, { reason: 'lost' })).then([
      exitEvent(1, null, 'lost'),
      event('JobFailed', T1, { attempt: 1, reason: 'lost', task: 'worker-1', exitCode: null }),
    ]);
    spec.given(scheduledHistory()).when(exited(0, null, { reason: 'launch-failed', error: 'ENOENT python3' })).then([
      event('TaskExited', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: null, reason: 'launch-failed', error: 'ENOENT python3' }),
      event('JobFailed', T1, { attempt: 1, reason: 'launch-failed', task: 'worker-0', exitCode: null }),
    ]);
  });

  it('a redelivered or stale exit is a no-op', () => {
    spec.given([...runningHistory(), exitEvent(0, 0)]).when(exited(0, 0)).thenNothing();
    const redispatched = [...runningHistory(), event('JobScheduled', T1, { attempt: 2, placements: placementsFor(2) })];
    spec.given(redispatched).when(exited(0, 1, { attempt: 1 })).thenNothing();
  });

  it('while terminating, the last active task ends the stop', () => {
    spec.given(terminatingHistory()).when(exited(0, 143, { reason: 'stopped', signal: 'SIGTERM' })).then([
      event('TaskExited', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: 143, signal: 'SIGTERM', reason: 'stopped' }),
    ]);
    const s = spec.given([...terminatingHistory('max-run-time', 6), exitEvent(0, 143, 'stopped')]).when(exited(1, 143, { reason: 'stopped' }))
      .then([exitEvent(1, 143, 'stopped'), event('JobTerminated', T1, { reason: 'max-run-time', maxRunHours: 6 })]);
    expect(s.status).toBe('terminated');
  });

  it('is refused for an unknown job or a malformed report', () => {
    spec.given([]).when(exited(0, 0)).then(ErrorCode.NotFound);
    spec.given(runningHistory()).when(exited(0, 0, { reason: 'bored' as 'exited' })).then(ErrorCode.ValidationFailed);
  });
});

describe('training job - StopJob', () => {
  it('stops a job with nothing running in one commit', () => {
    const both = [event('JobStopRequested', T1, { by: 'user:ada', reason: 'user' as const }), event('JobTerminated', T1, { reason: 'user' as const })];
    spec.given(createdHistory().slice(0, 1)).when(stop()).then(both);
    const s = spec.given(createdHistory()).when(stop()).then(both);
    expect(s.status).toBe('terminated');
  });

  it('a running job goes to terminating and names the tasks to stop', () => {
    const s = spec.given(runningHistory()).when(stop()).then([event('JobStopRequested', T1, { by: 'user:ada', reason: 'user' })]);
    expect(s.status).toBe('terminating');
    expect(tasksToStop(s).map((t) => t.name)).toEqual(['worker-0', 'worker-1']);
  });

  it('a dispatched job with tasks assigned waits for them', () => {
    const s = spec.given(scheduledHistory()).when(stop()).then([event('JobStopRequested', T1, { by: 'user:ada', reason: 'user' })]);
    expect(tasksToStop(s).map((t) => t.status)).toEqual(['assigned', 'assigned']);
  });

  it('a max-run-time stop carries the hours, from the command or the spec', () => {
    spec.given(runningHistory()).when(stop({ reason: 'max-run-time', maxRunHours: 2 }))
      .then([event('JobStopRequested', T1, { by: 'user:ada', reason: 'max-run-time', maxRunHours: 2 })]);
    spec.given(runningHistory(aSpec({ maxRunHours: 4 }))).when(stop({ by: 'scheduler', reason: 'max-run-time' }))
      .then([event('JobStopRequested', T1, { by: 'scheduler', reason: 'max-run-time', maxRunHours: 4 })]);
    spec.given(runningHistory()).when(stop({ reason: 'max-run-time' })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.MaxRunHoursRequired });
  });

  it('is refused while terminating and in every outcome state', () => {
    const terminated = [...createdHistory(), event('JobStopRequested', T1, { by: 'u', reason: 'user' }), event('JobTerminated', T1, { reason: 'user' })];
    const abnormal = [...runningHistory(), event('JobAbnormal', T1, { attempt: 1, reason: 'node fault' })];
    for (const history of [terminatingHistory(), completedHistory(), failedHistory(), terminated, abnormal]) {
      spec.given(history).when(stop()).then({ code: ErrorCode.IllegalState, reason: JobRejection.NotStoppable });
    }
    spec.given([]).when(stop()).then(ErrorCode.NotFound);
  });
});

describe('training job - DeleteJob', () => {
  it('deletes a finished job', () => {
    for (const history of [completedHistory(), failedHistory()]) {
      const s = spec.given(history).when(del()).then([
        event('JobDeletionRequested', T1, { by: 'user:ada' }),
        event('JobDeleted', T1, { by: 'user:ada' }),
      ]);
      expect(s.status).toBe('deleted');
    }
  });

  it('refuses a live job, and a deleted one is gone', () => {
    spec.given(runningHistory()).when(del()).then({ code: ErrorCode.IllegalState, reason: JobRejection.NotDeletable });
    spec.given(createdHistory()).when(del()).then(ErrorCode.IllegalState);
    const deleted = [...completedHistory(), event('JobDeletionRequested', T1, { by: 'u' }), event('JobDeleted', T1, { by: 'u' })];
    spec.given(deleted).when(del()).then(ErrorCode.NotFound);
    spec.given(deleted).when(stop()).then(ErrorCode.NotFound);
  });
});

describe('training job - ChangePriority', () => {
  it('changes the priority of a queued job', () => {
    const s = spec.given(createdHistory()).when(priority(2)).then([event('JobPriorityChanged', T1, { from: 1, to: 2, by: 'user:ada' })]);
    expect((s as ExistingTrainingJob).priority).toBe(2);
  });

  it('needs job:setHighPriority for 3', () => {
    spec.given(createdHistory()).when(priority(3)).then({ code: ErrorCode.Forbidden, reason: JobRejection.HighPriorityForbidden });
    spec.given(createdHistory()).when(priority(3, ['job:setHighPriority'])).then([event('JobPriorityChanged', T1, { from: 1, to: 3, by: 'user:ada' })]);
  });

  it('refuses values outside 1–3, and the same value is a no-op', () => {
    for (const to of [0, 4, 1.5]) spec.given(createdHistory()).when(priority(to)).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidPriority });
    spec.given(createdHistory()).when(priority(1)).thenNothing();
  });

  it('is frozen once dispatched (L11791)', () => {
    spec.given(scheduledHistory()).when(priority(2)).then({ code: ErrorCode.IllegalState, reason: JobRejection.PriorityLocked });
    spec.given(runningHistory()).when(priority(2)).then(ErrorCode.IllegalState);
    spec.given([]).when(priority(2)).then(ErrorCode.NotFound);
  });
});

describe('training job - DeclareJobAbnormal', () => {
  const abnormal = (now = T1) => cmd<DeclareJobAbnormal>('DeclareJobAbnormal', { reason: 'node gpu-01 lost', by: 'fault-manager' }, now);

  it('ends a live job as abnormal', () => {
    const s = spec.given(runningHistory()).when(abnormal()).then([event('JobAbnormal', T1, { attempt: 1, reason: 'node gpu-01 lost' })]);
    expect(s.status).toBe('abnormal');
    expect(tasksToStop(s)).toHaveLength(2);
  });

  it('is refused once the job is over', () => {
    spec.given(completedHistory()).when(abnormal()).then(ErrorCode.IllegalState);
  });
});

describe('training job - decideOrThrow', () => {
  const decide = decideOrThrow(trainingJobDecider);

  it('returns the events of an accepted command', () => {
    expect(decide(stop(), fold(trainingJobDecider, runningHistory()))).toHaveLength(1);
  });

  it('throws a TrainyardError carrying the stable code and the reason', () => {
    const state = fold(trainingJobDecider, completedHistory());
    let thrown: unknown;
    try {
      decide(stop(), state);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TrainyardError);
    expect(thrown).toBeInstanceOf(CommandRejectedError);
    expect((thrown as CommandRejectedError).code).toBe(ErrorCode.IllegalState);
    expect((thrown as CommandRejectedError).reason).toBe(JobRejection.NotStoppable);
    expect((thrown as CommandRejectedError).toBody().code).toBe(ErrorCode.IllegalState);
  });
});

describe('training job - queries', () => {
  it('JOB_STATUSES carries the guide labels of the nine states', () => {
    expect(Object.entries(JOB_STATUSES).map(([k, v]) => [k, v.zh])).toEqual([
      ['creating', '创建中'],
      ['waiting', '等待中'],
      ['running', '运行中'],
      ['terminating', '终止中'],
      ['terminated', '已终止'],
      ['completed', '已完成'],
      ['failed', '运行失败'],
      ['abnormal', '异常'],
      ['deleting', '删除中'],
    ]);
  });

  it('isTerminal holds for the four outcome states only', () => {
    const terminal = (['none', 'deleted', ...Object.keys(JOB_STATUSES)] as const).filter((s) => isTerminal(s as never));
    expect(terminal).toEqual(['terminated', 'completed', 'failed', 'abnormal']);
  });

  it('activeTasks and tasksToStop follow the job', () => {
    const running = fold(trainingJobDecider, runningHistory());
    expect(activeTasks(running).map((t) => t.name)).toEqual(tasksOf(2));
    expect(tasksToStop(running)).toEqual([]);
    expect(activeTasks(fold(trainingJobDecider, []))).toEqual([]);
  });

  it('a job created at T0 keeps createdAt', () => {
    expect((fold(trainingJobDecider, createdHistory()) as ExistingTrainingJob).createdAt).toBe(T0);
  });
});
