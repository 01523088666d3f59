import type { NatsConnection } from '@nats-io/transport-node';
import { type CommandReply, ErrorCode, Subjects, TrainyardError } from '@trainyard/contracts';
import type { TaskView } from '@trainyard/domain';
import type { ReportRequest, ReportVerb } from './report-request';
import type { ReportOutcome, TaskReporter } from './task-reporter';

/**
 * The node agent's reporter: each report a request on `ty.report.<nodeId>.<verb>` to the control
 * plane's {@link ReportIntake}, the only writer of what nodes report. A refusal (the decider's, or the
 * intake's for a malformed or foreign report) is an outcome; no answer in `timeoutMs`, no responders
 * or an intake that could not append throw, so the caller retries (command ids keep it idempotent).
 */
export function busReporter(nc: NatsConnection, nodeId: string, timeoutMs = 10_000): TaskReporter {
  const ask = async <T>(verb: ReportVerb, body: ReportRequest): Promise<CommandReply<T>> => {
    const msg = await nc.request(Subjects.report(nodeId, verb), JSON.stringify(body), { timeout: timeoutMs });
    const reply = msg.json<CommandReply<T>>();
    if (!reply.ok && reply.error.code === ErrorCode.Unavailable) throw new TrainyardError(reply.error.code, reply.error.message);
    return reply;
  };
  const report = async (verb: ReportVerb, body: ReportRequest): Promise<ReportOutcome> => {
    const reply = await ask<ReportOutcome>(verb, body);
    return reply.ok ? reply.data : { ok: false, code: reply.error.code, reason: reply.error.code, message: reply.error.message };
  };
  return {
    registerNode: (data, commandId) => report('register', { commandId, data }),
    taskStarted: (jobId, data, cause) => report('started', { jobId, data, ...(cause ? { cause } : {}) }),
    taskExited: (jobId, data, cause) => report('exited', { jobId, data, ...(cause ? { cause } : {}) }),
    taskPrecheck: (jobId, data, cause) => report('precheck', { jobId, data, ...(cause ? { cause } : {}) }),
    taskStaging: (jobId, data, cause) => report('staging', { jobId, data, ...(cause ? { cause } : {}) }),
    taskCheckpointed: (jobId, data, stamp, cause) => report('checkpointed', { jobId, data, stamp, ...(cause ? { cause } : {}) }),
    async taskView(jobId, task) {
      const reply = await ask<TaskView>('view', { jobId, task });
      if (!reply.ok) throw new TrainyardError(reply.error.code, reply.error.message, reply.error.details);
      return reply.data;
    },
  };
}
