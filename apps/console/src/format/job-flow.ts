/**
 * The guide's job flow (ch14 §3.4, L9880-9919): four fixed stages — 作业调度 > 环境准备 > 作业运行 >
 * 作业结束 — whose steps are projected from the job's events, one record per run: a preemption, a
 * reschedule or a re-queue starts a new record (L9915-9917, "历史记录"). Pure.
 */
export const FLOW_STAGES = [
  { key: 'scheduling', en: 'Scheduling', zh: '作业调度' },
  { key: 'preparing', en: 'Environment preparation', zh: '环境准备' },
  { key: 'running', en: 'Running', zh: '作业运行' },
  { key: 'ended', en: 'Ended', zh: '作业结束' },
] as const;
export type FlowStageKey = (typeof FLOW_STAGES)[number]['key'];

export interface FlowStep {
  seq: number;
  time: string;
  type: string;
  message: string;
  messageZh: string;
  /** A step that went wrong (a failed pre-check, a failure, a hang). */
  bad: boolean;
}

export interface FlowRecord {
  /** 1-based number of the run. */
  run: number;
  stages: Record<FlowStageKey, FlowStep[]>;
  /** The stage the run is in, or ended in. */
  current: FlowStageKey;
}

const STAGE_OF: Record<string, FlowStageKey> = {
  JobCreated: 'scheduling', JobQueued: 'scheduling', JobWaiting: 'scheduling', JobScheduled: 'scheduling', JobPriorityChanged: 'scheduling',
  TaskPrecheckCompleted: 'preparing', TaskPrecheckAbnormal: 'preparing', TaskPrecheckError: 'preparing',
  // The guide's 训练输入下载中 sub-stage (L9893-9894) and the outputs' prefetch are preparation; the last upload ends the run.
  TaskInputDownloaded: 'preparing', TaskInputDownloadFailed: 'preparing', TaskOutputPrefetched: 'preparing',
  TaskOutputUploaded: 'ended',
  JobStarted: 'running', TaskStarted: 'running', TaskExited: 'running', JobSuspectedHang: 'running', RecoveryDecided: 'running', JobRestarted: 'running',
  FailureAnalysed: 'running', JobPreempted: 'running', JobStopRequested: 'running',
  JobSucceeded: 'ended', JobFailed: 'ended', JobAbnormal: 'ended', JobTerminated: 'ended', JobDeletionRequested: 'ended', JobDeleted: 'ended',
};
const BAD = new Set(['TaskPrecheckAbnormal', 'TaskPrecheckError', 'TaskInputDownloadFailed', 'JobFailed', 'JobAbnormal', 'JobSuspectedHang', 'JobPreempted']);
const ORDER: FlowStageKey[] = FLOW_STAGES.map((s) => s.key);

export function jobFlow(events: readonly { seq: number; type: string; time: string; message: string; messageZh: string; data?: any }[]): FlowRecord[] {
  const records: FlowRecord[] = [];
  const fresh = (): FlowRecord => ({ run: records.length + 1, stages: { scheduling: [], preparing: [], running: [], ended: [] }, current: 'scheduling' });
  let record: FlowRecord | undefined;
  for (const e of events) {
    const stage = STAGE_OF[e.type];
    if (!stage) continue;
    // Back in the queue after a run: the next run is a record of its own.
    const requeued = e.type === 'JobQueued' && e.data?.requeue;
    if (!record || requeued) records.push((record = fresh()));
    record.stages[stage].push({ seq: e.seq, time: e.time, type: e.type, message: e.message, messageZh: e.messageZh, bad: BAD.has(e.type) || (e.type === 'TaskExited' && e.data?.exitCode !== 0) });
    if (ORDER.indexOf(stage) > ORDER.indexOf(record.current)) record.current = stage;
  }
  return records;
}
