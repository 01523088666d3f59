import { ErrorCode, event, eventText } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { DeciderSpec, T1, cmd, placementsFor, scheduledHistory } from '@trainyard/testing/domain';
import { JobRejection, trainingJobDecider, type ReportTaskStaging } from './training-job.decide';

const spec = DeciderSpec.for(trainingJobDecider);
const base = { task: 'worker-0', attempt: 1, nodeId: 'node-0', name: 'data_url', elapsedSeconds: 1.5 };
const staging = (data: Partial<ReportTaskStaging['data']>) =>
  cmd<ReportTaskStaging>('ReportTaskStaging', { ...base, kind: 'input-downloaded', files: 3, bytes: 4096, ...data });

describe('training job - ReportTaskStaging (W06–W09, L9973-9979)', () => {
  it('each kind is the guide\'s event: W06 input downloaded, W07 failed, W08 output uploaded, W09 prefetched', () => {
    spec.given(scheduledHistory()).when(staging({})).then([event('TaskInputDownloaded', T1, { ...base, files: 3, bytes: 4096 })]);
    spec.given(scheduledHistory()).when(staging({ kind: 'input-download-failed', reason: 'access-denied: AccessDenied', files: undefined, bytes: undefined }))
      .then([event('TaskInputDownloadFailed', T1, { ...base, reason: 'access-denied: AccessDenied' })]);
    spec.given(scheduledHistory()).when(staging({ kind: 'output-uploaded', name: 'train_url', files: 2, bytes: undefined }))
      .then([event('TaskOutputUploaded', T1, { ...base, name: 'train_url', files: 2 })]);
    spec.given(scheduledHistory()).when(staging({ kind: 'output-prefetched', name: 'train_url', files: 1, bytes: 10 }))
      .then([event('TaskOutputPrefetched', T1, { ...base, name: 'train_url', files: 1, bytes: 10 })]);
  });

  it('the messages are the guide\'s text with the channel name and the elapsed seconds', () => {
    const m = (type: 'TaskInputDownloaded' | 'TaskInputDownloadFailed' | 'TaskOutputUploaded' | 'TaskOutputPrefetched', data: any) => eventText(event(type, T1, data));
    expect(m('TaskInputDownloaded', { ...base, files: 1 })).toMatchObject({ zh: '[worker-0] [耗时：1.5 秒] 训练输入（参数名称：data_url）下载完成', line: 9973 });
    expect(m('TaskInputDownloadFailed', { ...base, reason: 'x' })).toMatchObject({ zh: '[worker-0] [耗时：1.5 秒] 训练输入（参数名称：data_url）下载失败，失败原因：x', line: 9975 });
    expect(m('TaskOutputUploaded', { ...base, files: 1 })).toMatchObject({ zh: '[worker-0] [耗时：1.5 秒] 训练输出（参数名称：data_url）上传完成', line: 9977 });
    expect(m('TaskOutputPrefetched', { ...base, files: 1 })).toMatchObject({ zh: '[worker-0] [耗时：1.5 秒] 训练输出（data_url）预取成功', line: 9979 });
  });

  it('a report of an older attempt is nothing; a malformed one, or one from another node, is refused', () => {
    const again = [...scheduledHistory(), event('JobScheduled', T1, { attempt: 2, placements: placementsFor(2) })];
    spec.given(again).when(staging({ attempt: 1 })).thenNothing();
    spec.given(scheduledHistory()).when(staging({ kind: 'uploaded' as 'output-uploaded' })).then({ code: ErrorCode.ValidationFailed, reason: JobRejection.InvalidReport });
    spec.given(scheduledHistory()).when(staging({ files: -1 })).then(ErrorCode.ValidationFailed);
    spec.given(scheduledHistory()).when(staging({ kind: 'input-download-failed' })).then(ErrorCode.ValidationFailed);
    spec.given(scheduledHistory()).when(staging({ nodeId: 'node-9' })).then({ code: ErrorCode.IllegalState, reason: JobRejection.NodeMismatch });
    spec.given([]).when(staging({})).then(ErrorCode.NotFound);
  });
});
