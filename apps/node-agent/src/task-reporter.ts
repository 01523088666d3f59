import { type CommitMeta, type ErrorCode, Subjects } from '@trainyard/contracts';
import {
  CommandRejectedError,
  decideOrThrow,
  nodeDecider,
  type RegisterNode,
  type ReportTaskExited,
  type ReportTaskPrecheck,
  type ReportTaskStarted,
  trainingJobDecider,
} from '@trainyard/domain';
import { type EventLog, handleCommand } from '@trainyard/event-log';

/** The log stored the report (`duplicate`: an earlier try already had), or the aggregate refused it. */
export type ReportOutcome =
  | { ok: true; seq: number; duplicate: boolean }
  | { ok: false; code: ErrorCode; reason: string; message: string };

/**
 * How the agent tells the control plane what happened: commands decided by the domain's deciders and
 * committed to the aggregate's subject. A refusal is a value; an infrastructure failure throws
 * (retrying with the same command id is safe).
 */
export interface TaskReporter {
  registerNode(data: RegisterNode['data'], commandId: string): Promise<ReportOutcome>;
  taskStarted(jobId: string, data: ReportTaskStarted['data'], cause?: CommitMeta): Promise<ReportOutcome>;
  taskExited(jobId: string, data: ReportTaskExited['data'], cause?: CommitMeta): Promise<ReportOutcome>;
  /** The pre-check of an attempt (W01, or W02/W03 per failed item), before its start or its `precheck-failed` exit. */
  taskPrecheck(jobId: string, data: ReportTaskPrecheck['data'], cause?: CommitMeta): Promise<ReportOutcome>;
}

/**
 * Command ids are deterministic per attempt (and per start of the script within it: a restart in
 * place runs it again, `MA_PROC_START_CNT` > 1), so a report retried after a crash is stored once.
 */
const started = (n?: number) => (n !== undefined && n > 1 ? `/p${n}` : '');
export const startedCommandId = (jobId: string, task: string, attempt: number, procStartCount?: number) => `started/${jobId}/${task}/${attempt}${started(procStartCount)}`;
export const exitedCommandId = (jobId: string, task: string, attempt: number, procStartCount?: number) => `exited/${jobId}/${task}/${attempt}${started(procStartCount)}`;
export const precheckCommandId = (jobId: string, task: string, attempt: number) => `precheck/${jobId}/${task}/${attempt}`;

export function eventLogReporter(log: EventLog, nodeId: string, now: () => Date = () => new Date()): TaskReporter {
  const meta = (commandId: string, cause?: CommitMeta): CommitMeta => ({
    commandId,
    // The agent's reports continue the trace of the commit that assigned the task.
    correlationId: cause?.correlationId ?? commandId,
    ...(cause ? { causationId: cause.commandId } : {}),
    actor: `node:${nodeId}`,
    ...(cause?.traceparent ? { traceparent: cause.traceparent } : {}),
  });
  const run = async (p: Promise<{ seq: number; duplicate: boolean }>): Promise<ReportOutcome> => {
    try {
      const { seq, duplicate } = await p;
      return { ok: true, seq, duplicate };
    } catch (err) {
      if (err instanceof CommandRejectedError) return { ok: false, code: err.code, reason: err.reason, message: err.message };
      throw err;
    }
  };
  const job = { initialState: trainingJobDecider.initialState(), evolve: trainingJobDecider.evolve };
  return {
    registerNode: (data, commandId) =>
      run(
        handleCommand({
          log,
          subject: Subjects.node(data.nodeId),
          initialState: nodeDecider.initialState(),
          evolve: nodeDecider.evolve,
          decide: (s) => decideOrThrow(nodeDecider)({ type: 'RegisterNode', data, metadata: { now: now().toISOString() } }, s),
          meta: meta(commandId),
        }),
      ),
    taskStarted: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => decideOrThrow(trainingJobDecider)({ type: 'ReportTaskStarted', data, metadata: { now: now().toISOString() } }, s),
          meta: meta(startedCommandId(jobId, data.task, data.attempt, data.procStartCount), cause),
        }),
      ),
    taskExited: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => decideOrThrow(trainingJobDecider)({ type: 'ReportTaskExited', data, metadata: { now: now().toISOString() } }, s),
          meta: meta(exitedCommandId(jobId, data.task, data.attempt, data.procStartCount), cause),
        }),
      ),
    taskPrecheck: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => decideOrThrow(trainingJobDecider)({ type: 'ReportTaskPrecheck', data, metadata: { now: now().toISOString() } }, s),
          meta: meta(precheckCommandId(jobId, data.task, data.attempt), cause),
        }),
      ),
  };
}
