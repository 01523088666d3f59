import {
  checkStorableInput, COMMAND_ID, type CommitMeta, ErrorCode, FieldCode, FieldErrors, INPUT_LIMITS, SUBJECT_TOKEN, TRACEPARENT, TrainyardError,
} from '@trainyard/contracts';

/** The verbs of `ty.report.<nodeId>.<verb>`. */
export const ReportVerbs = ['register', 'started', 'exited', 'precheck', 'staging', 'checkpointed', 'view'] as const;
export type ReportVerb = (typeof ReportVerbs)[number];

/** One report as it travels: the node's data, and for a task the job it belongs to. */
export interface ReportRequest {
  jobId?: string;
  /** `register`: its command id (each start of an agent registers anew). */
  commandId?: string;
  /** `checkpointed`: the ack file's mtime, which keys the command. */
  stamp?: number;
  /** `view`: the task asked about. */
  task?: string;
  data?: Record<string, unknown>;
  /** The commit that caused the report (trace and correlation only; the actor is the sending node). */
  cause?: CommitMeta;
}

/**
 * Checks a report from node `nodeId` (the subject's token, which only that node's credentials may
 * publish on a locked bus): its shape, that it speaks of no other node (`data.nodeId` is the
 * sender, or FORBIDDEN), and the text rule over everything. The deciders check the rest — above
 * all that the task's current attempt is placed on this node. Every bad field is reported at once.
 */
export function parseReportRequest(nodeId: string, verb: string, raw: unknown, bytes = 0): { verb: ReportVerb; request: ReportRequest } {
  if (!(ReportVerbs as readonly string[]).includes(verb)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, `unknown report ${verb}`, [{ path: '', code: FieldCode.InvalidFormat, message: `one of ${ReportVerbs.join(', ')}` }]);
  }
  if (bytes > INPUT_LIMITS.commandBytes) {
    throw new TrainyardError(ErrorCode.ValidationFailed, `a report is at most ${INPUT_LIMITS.commandBytes} bytes`, [
      { path: '', code: FieldCode.TooLong, message: `the report has ${bytes} bytes` },
    ]);
  }
  if (!isObject(raw)) throw new TrainyardError(ErrorCode.ValidationFailed, 'a report must be a JSON object', [{ path: '', code: FieldCode.InvalidType, message: 'expected an object' }]);
  const e = new FieldErrors();
  checkStorableInput(raw, '', e);
  if (e.list.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid report', e.list);
  const r = raw as ReportRequest & Record<string, unknown>;
  const str = (path: string, v: unknown, pattern: RegExp) => {
    if (typeof v !== 'string') e.add(path, FieldCode.Required, `${path} must be a string`);
    else if (!pattern.test(v)) e.add(path, FieldCode.InvalidFormat, `${path} has an invalid format`);
  };
  const v = verb as ReportVerb;
  if (v === 'register') str('commandId', r.commandId, COMMAND_ID);
  else str('jobId', r.jobId, SUBJECT_TOKEN);
  if (v === 'view') str('task', r.task, SUBJECT_TOKEN);
  else if (!isObject(r.data)) e.add('data', FieldCode.Required, 'data must be an object');
  else if (r.data.nodeId !== nodeId) {
    throw new TrainyardError(ErrorCode.Forbidden, `node ${nodeId} may report only about itself`, [
      { path: 'data.nodeId', code: FieldCode.InvalidFormat, message: `must be ${nodeId}, the node that sends the report` },
    ]);
  }
  if (v === 'checkpointed' && !(Number.isSafeInteger(r.stamp) && (r.stamp as number) >= 0)) e.add('stamp', FieldCode.OutOfRange, 'stamp must be an integer ≥ 0');
  if (r.cause !== undefined) {
    if (!isObject(r.cause)) e.add('cause', FieldCode.InvalidType, 'cause must be an object');
    else {
      str('cause.commandId', r.cause.commandId, COMMAND_ID);
      if (r.cause.correlationId !== undefined) str('cause.correlationId', r.cause.correlationId, COMMAND_ID);
      if (r.cause.traceparent !== undefined) str('cause.traceparent', r.cause.traceparent, TRACEPARENT);
    }
  }
  if (e.list.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid report', e.list);
  // Only what the cause may carry: correlation and trace, never an actor or audit of its own.
  const cause = r.cause
    ? { commandId: r.cause.commandId, correlationId: r.cause.correlationId ?? r.cause.commandId, actor: `node:${nodeId}`, ...(r.cause.traceparent ? { traceparent: r.cause.traceparent } : {}) }
    : undefined;
  return { verb: v, request: { ...r, ...(cause ? { cause } : {}) } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
