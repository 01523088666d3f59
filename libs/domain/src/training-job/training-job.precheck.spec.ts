import { ErrorCode, event, type PrecheckItemResult } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { DeciderSpec, T1, cmd, placementsFor, runningHistory, scheduledHistory } from '@trainyard/testing/domain';
import { findTask, type ExistingTrainingJob } from './training-job';
import { JobRejection, trainingJobDecider, type ReportTaskExited, type ReportTaskPrecheck } from './training-job.decide';

const spec = DeciderSpec.for(trainingJobDecider);

const passed = (item: string): PrecheckItemResult => ({ item, outcome: 'passed', detail: 'ok', hardware: false });
const precheck = (items: PrecheckItemResult[], data: Partial<ReportTaskPrecheck['data']> = {}) =>
  cmd<ReportTaskPrecheck>('ReportTaskPrecheck', { task: 'worker-0', attempt: 1, nodeId: 'node-0', elapsedSeconds: 0.4, items, ...data });
const base = { task: 'worker-0', attempt: 1, nodeId: 'node-0', elapsedSeconds: 0.4 };

describe('training job - ReportTaskPrecheck (W01–W03)', () => {
  it('every item passed: one TaskPrecheckCompleted (W01) with the items', () => {
    const items = [passed('dns'), passed('disk-size root')];
    const s = spec.given(scheduledHistory()).when(precheck(items)).then([event('TaskPrecheckCompleted', T1, { ...base, items })]) as ExistingTrainingJob;
    expect(findTask(s, 'worker-0')).toMatchObject({ status: 'assigned', precheck: 'passed' });
  });

  it('each failed item is one event: abnormal → W02, error → W03, with its hardware classification', () => {
    const items: PrecheckItemResult[] = [
      passed('dns'),
      { item: 'disk-size shm', outcome: 'abnormal', detail: '/dev/shm has 0.5 GiB free, needs > 1 GiB', hardware: false },
      { item: 'gpu-check', outcome: 'error', detail: 'nvidia-smi not found', hardware: true },
    ];
    const s = spec.given(scheduledHistory()).when(precheck(items)).then([
      event('TaskPrecheckAbnormal', T1, { ...base, item: 'disk-size shm', detail: '/dev/shm has 0.5 GiB free, needs > 1 GiB', hardware: false }),
      event('TaskPrecheckError', T1, { ...base, item: 'gpu-check', detail: 'nvidia-smi not found', hardware: true }),
    ]) as ExistingTrainingJob;
    expect(findTask(s, 'worker-0')?.precheck).toBe('failed');
  });

  it('is recorded once per attempt and only before the script starts', () => {
    const done = [...scheduledHistory(), event('TaskPrecheckCompleted', T1, { ...base, items: [passed('dns')] })];
    spec.given(done).when(precheck([passed('dns')])).thenNothing();
    spec.given(runningHistory()).when(precheck([passed('dns')])).thenNothing();
    // A new attempt checks again.
    const again = [...done, event('JobScheduled', T1, { attempt: 2, placements: placementsFor(2) })];
    spec.given(again).when(precheck([passed('dns')], { attempt: 2 })).then([event('TaskPrecheckCompleted', T1, { ...base, attempt: 2, items: [passed('dns')] })]);
    spec.given(again).when(precheck([passed('dns')], { attempt: 1 })).thenNothing();
  });

  it('is refused when malformed, from another node, or for an unknown job', () => {
    spec.given(scheduledHistory()).when(precheck([])).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidReport });
    spec.given(scheduledHistory()).when(precheck([{ ...passed('dns'), outcome: 'fine' as 'passed' }])).then(ErrorCode.ValidationFailed);
    spec.given(scheduledHistory()).when(precheck([passed('dns')], { elapsedSeconds: -1 })).then(ErrorCode.ValidationFailed);
    spec.given(scheduledHistory()).when(precheck([passed('dns')], { nodeId: 'node-9' })).then({ code: ErrorCode.IllegalState, reason: JobRejection.NodeMismatch });
    spec.given([]).when(precheck([passed('dns')])).then(ErrorCode.NotFound);
  });

  it('an exit with reason precheck-failed fails the job with that reason', () => {
    const exit = cmd<ReportTaskExited>('ReportTaskExited', { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: null, reason: 'precheck-failed', error: 'item disk-size shm failed' });
    const s = spec.given(scheduledHistory()).when(exit).then([
      event('TaskExited', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: null, reason: 'precheck-failed', error: 'item disk-size shm failed' }),
      event('JobFailed', T1, { attempt: 1, reason: 'precheck-failed', task: 'worker-0', exitCode: null }),
    ]) as ExistingTrainingJob;
    expect(findTask(s, 'worker-0')).toMatchObject({ status: 'failed', exitReason: 'precheck-failed' });
  });
});
