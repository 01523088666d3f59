import { ErrorCode, event, type JobEvent } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { DeciderSpec, T0, T1, aSpec, cmd, createdHistory, placementsFor, runningHistory, scheduledHistory } from '@trainyard/testing/domain';
import { runningMs, tasksToStop, type ExistingTrainingJob } from './training-job';
import {
  JobRejection,
  trainingJobDecider,
  type FailRequeuedJob,
  type TimeOutPreparation,
  type PreemptJob,
  type RecordCheckpoint,
  type RecordPreemptionCycle,
  type RecordWaitReason,
  type ReportTaskExited,
  type ScheduleJob,
  type StopJob,
} from './training-job.decide';

const spec = DeciderSpec.for(trainingJobDecider);
const preemptible = aSpec({ preemptible: true });
const T2 = '2026-03-13T10:02:00.000Z';
const T40 = '2026-03-13T10:40:00.000Z';

const preempt = (data: Partial<PreemptJob['data']> = {}, now = T1) =>
  cmd<PreemptJob>('PreemptJob', { by: 'j-urgent', byPriority: 3, graceMs: 5000, ...data }, now);
const stopped = (i: number, now = T2) =>
  cmd<ReportTaskExited>('ReportTaskExited', { task: `worker-${i}`, attempt: 1, nodeId: `node-${i}`, exitCode: null, signal: 'SIGTERM', reason: 'stopped' }, now);
const exitedEvent = (i: number, now = T2) =>
  event('TaskExited', now, { task: `worker-${i}`, attempt: 1, nodeId: `node-${i}`, exitCode: null, signal: 'SIGTERM', reason: 'stopped' as const });
const preemptedEvent = event('JobPreempted', T1, { attempt: 1, by: 'j-urgent', byPriority: 3, graceMs: 5000 });
const preemptingHistory = (): JobEvent[] => [...runningHistory(preemptible), preemptedEvent];
const requeuedHistory = (): JobEvent[] => [
  ...preemptingHistory(),
  exitedEvent(0),
  exitedEvent(1),
  event('JobQueued', T2, { priority: 1, requeue: 'preemption' }),
];

describe('training job - PreemptJob', () => {
  it('marks a running preemptible job preempted: it terminates its tasks and names the preemptor', () => {
    const s = spec.given(runningHistory(preemptible)).when(preempt()).then([preemptedEvent]) as ExistingTrainingJob;
    expect(s.status).toBe('terminating');
    expect(s.preemption).toEqual({ by: 'j-urgent', byPriority: 3, graceMs: 5000, at: T1 });
    expect(tasksToStop(s).map((t) => t.name)).toEqual(['worker-0', 'worker-1']);
  });

  it('preempts a dispatched job that has not started yet', () => {
    spec.given(scheduledHistory(preemptible)).when(preempt()).then([preemptedEvent]);
  });

  it('is idempotent while the preemption is in progress', () => {
    spec.given(preemptingHistory()).when(preempt()).thenNothing();
  });

  it('refuses a job that did not opt in, a waiting job, and a preemptor of equal priority', () => {
    spec.given(runningHistory()).when(preempt()).then({ code: ErrorCode.IllegalState, reason: JobRejection.NotPreemptible });
    spec.given(createdHistory(preemptible)).when(preempt()).then({ code: ErrorCode.IllegalState, reason: JobRejection.NothingToPreempt });
    spec.given(runningHistory(preemptible)).when(preempt({ byPriority: 1 })).then({ code: ErrorCode.IllegalState, reason: JobRejection.PreemptorNotHigher });
    spec.given(runningHistory(preemptible)).when(preempt({ by: 'j1' })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidReport });
    spec.given([]).when(preempt()).then(ErrorCode.NotFound);
  });

  it('protects a run younger than the minimum run time', () => {
    // runningHistory starts the job at T0; T1 is one minute later.
    spec.given(runningHistory(preemptible)).when(preempt({ minRunMs: 120_000 })).then({ code: ErrorCode.IllegalState, reason: JobRejection.RecentlyStarted });
    spec.given(runningHistory(preemptible)).when(preempt({ minRunMs: 60_000 })).then([preemptedEvent]);
  });

  it('queues the job again at first priority once the last task ended, banking its running time', () => {
    spec.given([...preemptingHistory(), exitedEvent(0)]).when(stopped(1)).then([
      exitedEvent(1),
      event('JobQueued', T2, { priority: 1, requeue: 'preemption' }),
    ]);
    const s = spec.given(requeuedHistory()).when(preempt()).then({ code: ErrorCode.IllegalState, reason: JobRejection.NothingToPreempt }) as ExistingTrainingJob;
    expect(s).toMatchObject({ status: 'waiting', dispatched: false, attempt: 1, requeue: { reason: 'preemption', at: T2 }, ranMs: 120_000 });
    expect(s.preemption).toBeUndefined();
    expect(runningMs(s, T40)).toBe(120_000);
  });

  it('dispatches the re-queued job as attempt 2, which ends the re-queue', () => {
    const s = spec.given(requeuedHistory()).when(cmd<ScheduleJob>('ScheduleJob', { placements: placementsFor(2) }, T2))
      .then([event('JobScheduled', T2, { attempt: 2, placements: placementsFor(2) })]) as ExistingTrainingJob;
    expect(s.requeue).toBeUndefined();
    expect(s.tasks.map((t) => [t.status, t.attempt, t.scheduleCount])).toEqual([['assigned', 2, 2], ['assigned', 2, 2]]);
  });

  it('lets the user stop a job being preempted: it then ends terminated instead of queueing again', () => {
    spec.given(preemptingHistory()).when(cmd<StopJob>('StopJob', { by: 'user:ada', reason: 'user' })).then([
      event('JobStopRequested', T1, { by: 'user:ada', reason: 'user' }),
    ]);
    const history = [...preemptingHistory(), event('JobStopRequested', T1, { by: 'user:ada', reason: 'user' as const }), exitedEvent(0)];
    spec.given(history).when(stopped(1)).then([exitedEvent(1), event('JobTerminated', T2, { reason: 'user' })]);
  });

  it('refuses a start report while preempting (the agent kills the process)', () => {
    spec.given(preemptingHistory())
      .when(cmd('ReportTaskStarted', { task: 'worker-0', attempt: 1, nodeId: 'node-0', procStartCount: 2 }))
      .then({ code: ErrorCode.IllegalState, reason: JobRejection.JobNotActive });
  });
});

describe('training job - FailRequeuedJob', () => {
  const fail = (now: string) => cmd<FailRequeuedJob>('FailRequeuedJob', { limitMs: 30 * 60_000 }, now);

  it('fails a re-queued job that waited past the limit, with a clear reason', () => {
    spec.given(requeuedHistory()).when(fail(T40)).then([
      event('JobFailed', T40, { attempt: 1, reason: 'requeue-timeout', message: 're-queued after preemption and no capacity freed within 30 min' }),
    ]);
  });

  it('refuses before the limit, and ignores a job that was placed or never re-queued', () => {
    spec.given(requeuedHistory()).when(fail(T2)).then({ code: ErrorCode.IllegalState, reason: JobRejection.RequeueNotExpired });
    spec.given(createdHistory()).when(fail(T40)).thenNothing();
    spec.given([...requeuedHistory(), event('JobScheduled', T2, { attempt: 2, placements: placementsFor(2) })]).when(fail(T40)).thenNothing();
  });
});

describe('training job - TimeOutPreparation (J03, L9938)', () => {
  const timeOut = (now: string) => cmd<TimeOutPreparation>('TimeOutPreparation', { limitMs: 30 * 60_000 }, now);
  const placed = () => scheduledHistory();

  it('a placed job none of whose tasks started within the limit ends abnormal, its tasks to be stopped', () => {
    const s = spec.given(placed()).when(timeOut(T40)).then([
      event('JobAbnormal', T40, { attempt: 1, reason: 'preparation-timeout', message: 'no task started within 30 min of the placement' }),
    ]) as ExistingTrainingJob;
    expect(s.status).toBe('abnormal');
    expect(s.endedAt).toBe(T40);
    // Whatever was assigned is stopped (the agents may still be staging).
    expect(tasksToStop(s).map((t) => t.name)).toEqual(['worker-0', 'worker-1']);
  });

  it('refuses before the limit; a job that started, was never placed, or already ended is left alone', () => {
    spec.given(placed()).when(timeOut(T2)).then({ code: ErrorCode.IllegalState, reason: JobRejection.PreparationNotExpired });
    spec.given(createdHistory()).when(timeOut(T40)).thenNothing();
    spec.given(runningHistory()).when(timeOut(T40)).thenNothing();
    spec.given([...placed(), event('JobAbnormal', T1, { attempt: 1, reason: 'preparation-timeout' })]).when(timeOut(T40)).thenNothing();
  });
});

describe('training job - RecordWaitReason', () => {
  const record = (reason: RecordWaitReason['data']['reason']) => cmd<RecordWaitReason>('RecordWaitReason', { reason });
  const short = { code: 'INSUFFICIENT_RESOURCES', position: 1, deficit: { cpu: 2 }, unplacedInstances: 1 };

  it('records the first reason and a material change, nothing for noise', () => {
    const s = spec.given(createdHistory()).when(record(short)).then([event('JobWaiting', T1, { reason: short })]) as ExistingTrainingJob;
    expect(s.waitReason).toEqual(short);
    const after = [...createdHistory(), event('JobWaiting', T0, { reason: short })];
    spec.given(after).when(record({ ...short, deficit: { cpu: 2.1 } })).thenNothing();
    spec.given(after).when(record({ ...short, deficit: { cpu: 4 } })).then([event('JobWaiting', T1, { reason: { ...short, deficit: { cpu: 4 } } })]);
  });

  it('is a no-op once the job is dispatched, and the reason is cleared by the placement', () => {
    spec.given(scheduledHistory()).when(record(short)).thenNothing();
    const s = spec.given([...createdHistory(), event('JobWaiting', T0, { reason: short })]).when(cmd<ScheduleJob>('ScheduleJob', { placements: placementsFor(2) }))
      .then([event('JobScheduled', T1, { attempt: 1, placements: placementsFor(2) })]) as ExistingTrainingJob;
    expect(s.waitReason).toBeUndefined();
  });

  it('refuses a reason without a code', () => {
    spec.given(createdHistory()).when(record({ code: '' })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidReport });
  });
});

describe('training job - runningMs', () => {
  it('counts the current run while running, and nothing while the run is being stopped', () => {
    // runningHistory starts the job at T0.
    expect(runningMs(spec.given(runningHistory(preemptible)).when(preempt()).then([preemptedEvent]), T40)).toBe(0);
    expect(runningMs(spec.given([]).when(preempt()).then(ErrorCode.NotFound), T40)).toBe(0);
    const live = spec.given(scheduledHistory()).when(cmd('ReportTaskStarted', { task: 'worker-0', attempt: 1, nodeId: 'node-0', procStartCount: 1 }, T1)).thenEvents();
    const state = [...scheduledHistory(), ...live].reduce(trainingJobDecider.evolve, trainingJobDecider.initialState());
    expect(runningMs(state, T2)).toBe(60_000);
  });
});

describe('training job - checkpoints, reclaim and cycles (issue 16)', () => {
  const checkpoint = (i: number, attempt = 1, now = T2) => cmd<RecordCheckpoint>('RecordCheckpoint', { task: `worker-${i}`, attempt, nodeId: `node-${i}` }, now);

  it('a running task acknowledging a checkpoint is recorded; the job remembers when', () => {
    const s = spec.given(runningHistory(preemptible)).when(checkpoint(0)).then([event('TaskCheckpointed', T2, { task: 'worker-0', attempt: 1, nodeId: 'node-0' })]) as ExistingTrainingJob;
    expect(s.checkpointAt).toBe(T2);
  });

  it('during its preemption notice too; an older attempt or a task not running is a no-op; a wrong node is refused', () => {
    spec.given(preemptingHistory()).when(checkpoint(1)).then([event('TaskCheckpointed', T2, { task: 'worker-1', attempt: 1, nodeId: 'node-1' })]);
    spec.given(requeuedHistory()).when(checkpoint(0)).then([]);
    spec
      .given(runningHistory(preemptible))
      .when(cmd<RecordCheckpoint>('RecordCheckpoint', { task: 'worker-0', attempt: 1, nodeId: 'node-9' }, T2))
      .then({ code: ErrorCode.IllegalState, reason: JobRejection.NodeMismatch });
  });

  it('a reclaim preempts whatever the priorities and the run time; it is counted and remembered', () => {
    const s = spec
      .given(runningHistory(preemptible))
      .when(preempt({ byPriority: 1, reclaim: true, minRunMs: 3_600_000 }))
      .then([event('JobPreempted', T1, { attempt: 1, by: 'j-urgent', byPriority: 1, graceMs: 5000, reclaim: true })]) as ExistingTrainingJob;
    expect(s.preemption).toMatchObject({ reclaim: true });
    expect(s.preemptions).toBe(1);
    expect(s.preemptedBy).toEqual([{ by: 'j-urgent', at: T1 }]);
    // Without reclaim the same command is refused: only a higher priority preempts.
    spec.given(runningHistory(preemptible)).when(preempt({ byPriority: 1 })).then({ code: ErrorCode.IllegalState, reason: JobRejection.PreemptorNotHigher });
  });

  it('a preemption never uses the retry budget: no recovery decision, restarts untouched', () => {
    const s = spec.given(requeuedHistory()).when(checkpoint(0)).then([]) as ExistingTrainingJob;
    expect(s.recovery).toBeUndefined();
    expect(s.preemptions).toBe(1);
  });

  it('a cycle the planner stopped is an event on the job kept from preempting', () => {
    spec
      .given(runningHistory(preemptible))
      .when(cmd<RecordPreemptionCycle>('RecordPreemptionCycle', { victim: 'j-b', windowMs: 60_000 }, T2))
      .then([event('PreemptionCycleStopped', T2, { victim: 'j-b', windowMs: 60_000 })]);
  });
});
