import { type CommitMeta, type DomainEvent, type JobEvent, Subjects } from '@trainyard/contracts';
import { fold, nodeDecider, placedOn, taskView, trainingJobDecider } from '@trainyard/domain';
import { type EventLog, handleCommand, type HandleCommandResult } from '@trainyard/event-log';
import { checkpointCommandId, exitedCommandId, precheckCommandId, type ReportOutcome, stagingCommandId, startedCommandId, type TaskReporter } from './task-reporter';

/**
 * A node's reports decided by the domain's deciders and committed to the aggregate's subject (the
 * job's, or the node's for its registration), as `node:<nodeId>`. The deciders refuse a report about
 * a task whose current attempt is placed on another node (`NodeMismatch`), so committing as the
 * node that sent it is the check that the task is its own. Runs in the report intake.
 */
export function eventLogReporter(log: EventLog, nodeId: string, now: () => Date = () => new Date()): TaskReporter {
  const meta = (commandId: string, cause?: CommitMeta): CommitMeta => ({
    commandId,
    // The agent's reports continue the trace of the commit that assigned the task.
    correlationId: cause?.correlationId ?? commandId,
    ...(cause ? { causationId: cause.commandId } : {}),
    actor: `node:${nodeId}`,
    ...(cause?.traceparent ? { traceparent: cause.traceparent } : {}),
  });
  // The decider's rejection arrives as a value and leaves as one; only infrastructure failures throw.
  const run = async <S, E extends DomainEvent>(p: Promise<HandleCommandResult<S, E>>): Promise<ReportOutcome> => {
    const r = await p;
    if (!r.ok) return { ok: false, code: r.rejection.code, reason: r.rejection.reason, message: r.rejection.message };
    return { ok: true, seq: r.seq, duplicate: r.duplicate };
  };
  const job = { initialState: trainingJobDecider.initialState(), evolve: trainingJobDecider.evolve };
  const at = () => ({ now: now().toISOString() });
  return {
    registerNode: (data, commandId) =>
      run(
        handleCommand({
          log,
          subject: Subjects.node(data.nodeId),
          initialState: nodeDecider.initialState(),
          evolve: nodeDecider.evolve,
          decide: (s) => nodeDecider.decide({ type: 'RegisterNode', data, metadata: at() }, s),
          meta: meta(commandId),
        }),
      ),
    taskStarted: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => trainingJobDecider.decide({ type: 'ReportTaskStarted', data, metadata: at() }, s),
          meta: meta(startedCommandId(jobId, data.task, data.attempt, data.procStartCount), cause),
        }),
      ),
    taskExited: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => trainingJobDecider.decide({ type: 'ReportTaskExited', data, metadata: at() }, s),
          meta: meta(exitedCommandId(jobId, data.task, data.attempt, data.procStartCount), cause),
        }),
      ),
    taskCheckpointed: (jobId, data, stamp, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => trainingJobDecider.decide({ type: 'RecordCheckpoint', data, metadata: at() }, s),
          meta: meta(checkpointCommandId(jobId, data.task, data.attempt, stamp), cause),
        }),
      ),
    taskPrecheck: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => trainingJobDecider.decide({ type: 'ReportTaskPrecheck', data, metadata: at() }, s),
          meta: meta(precheckCommandId(jobId, data.task, data.attempt), cause),
        }),
      ),
    taskStaging: (jobId, data, cause) =>
      run(
        handleCommand({
          log,
          subject: Subjects.job(jobId),
          ...job,
          decide: (s) => trainingJobDecider.decide({ type: 'ReportTaskStaging', data, metadata: at() }, s),
          meta: meta(stagingCommandId(jobId, data), cause),
        }),
      ),
    async taskView(jobId, task) {
      const history = await log.read(Subjects.job(jobId));
      const events = history.commits.flatMap((c) => c.events) as JobEvent[];
      if (!placedOn(events, task, nodeId)) return { jobStatus: 'none' };
      return taskView(fold(trainingJobDecider, events), task);
    },
  };
}
