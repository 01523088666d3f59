import type { CommitMeta, ErrorCode } from '@trainyard/contracts';
import type { RecordCheckpoint, RegisterNode, ReportTaskExited, ReportTaskPrecheck, ReportTaskStaging, ReportTaskStarted, TaskView } from '@trainyard/domain';

/** The log stored the report (`duplicate`: an earlier try already had), or the aggregate refused it. */
export type ReportOutcome =
  | { ok: true; seq: number; duplicate: boolean }
  | { ok: false; code: ErrorCode; reason: string; message: string };

/**
 * How a node agent tells the control plane what happened, and asks whether an assignment still
 * wants a process. A refusal is a value; an infrastructure failure throws (retrying with the same
 * command id is safe). The agent's implementation is {@link busReporter} (through the report
 * intake); {@link eventLogReporter} is what the intake runs on the log.
 */
export interface TaskReporter {
  registerNode(data: RegisterNode['data'], commandId: string): Promise<ReportOutcome>;
  taskStarted(jobId: string, data: ReportTaskStarted['data'], cause?: CommitMeta): Promise<ReportOutcome>;
  taskExited(jobId: string, data: ReportTaskExited['data'], cause?: CommitMeta): Promise<ReportOutcome>;
  /** The pre-check of an attempt (W01, or W02/W03 per failed item), before its start or its `precheck-failed` exit. */
  taskPrecheck(jobId: string, data: ReportTaskPrecheck['data'], cause?: CommitMeta): Promise<ReportOutcome>;
  /** One staged object-store channel of an attempt (W06–W09), once per channel, kind and start of the script. */
  taskStaging(jobId: string, data: ReportTaskStaging['data'], cause?: CommitMeta): Promise<ReportOutcome>;
  /** The task acknowledged "checkpoint written"; `stamp` (ms) makes each acknowledgement its own command. */
  taskCheckpointed(jobId: string, data: RecordCheckpoint['data'], stamp: number, cause?: CommitMeta): Promise<ReportOutcome>;
  /** The job's status and the task's latest attempt, folded from the job's history. */
  taskView(jobId: string, task: string): Promise<TaskView>;
}

/**
 * Command ids are deterministic per attempt (and per start of the script within it: a restart in
 * place runs it again, `MA_PROC_START_CNT` > 1), so a report retried after a crash is stored once.
 */
const started = (n?: number) => (n !== undefined && n > 1 ? `/p${n}` : '');
export const startedCommandId = (jobId: string, task: string, attempt: number, procStartCount?: number) => `started/${jobId}/${task}/${attempt}${started(procStartCount)}`;
export const exitedCommandId = (jobId: string, task: string, attempt: number, procStartCount?: number) => `exited/${jobId}/${task}/${attempt}${started(procStartCount)}`;
export const precheckCommandId = (jobId: string, task: string, attempt: number) => `precheck/${jobId}/${task}/${attempt}`;
export const stagingCommandId = (jobId: string, d: { task: string; attempt: number; kind: string; name: string; procStartCount?: number }) =>
  `staging/${jobId}/${d.task}/${d.attempt}${started(d.procStartCount)}/${d.kind}/${d.name}`;
export const checkpointCommandId = (jobId: string, task: string, attempt: number, stamp: number) => `checkpoint/${jobId}/${task}/${attempt}/${stamp}`;
