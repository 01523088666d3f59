import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { ErrorCode, FieldCode, SUBJECT_TOKEN, Subjects, validateExecBody, type ExecReply, type ExecRequest, type FieldError } from '@trainyard/contracts';
import type { AgentLogger } from './agent-logger';
import type { ExecRunner } from './task-exec';

/** Where exec requests land: the lifecycle's answer for one attempt (`TaskLifecycle.execTarget`). */
export type ExecTargets = (key: string) => { run: ExecRunner } | { refused: string };

/**
 * Answers `ty.exec.<nodeId>` (issue 15, `yard exec`): only the API may publish there (bus-permissions.ts),
 * after it committed `TaskExecRequested` with the caller's principal. The request is checked again here —
 * a node runs nothing on a malformed or out-of-range ask — and the command runs in the attempt only
 * while this agent runs it. Every answer is a reply envelope; nothing is thrown at the bus.
 */
export function startExecService(nc: NatsConnection, nodeId: string, targets: ExecTargets, logger: AgentLogger): Subscription {
  return nc.subscribe(Subjects.exec(nodeId), {
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      void answer(msg.data, targets, logger).then((reply) => msg.respond(JSON.stringify(reply)), () => undefined);
    },
  });
}

async function answer(data: Uint8Array, targets: ExecTargets, logger: AgentLogger): Promise<ExecReply> {
  const parsed = parseRequest(data);
  if ('errors' in parsed) return { ok: false, error: { code: ErrorCode.ValidationFailed, message: 'invalid exec request', details: parsed.errors } };
  const r = parsed.request;
  const key = `${r.jobId}/${r.task}/${r.attempt}`;
  const target = targets(key);
  if ('refused' in target) return { ok: false, error: { code: ErrorCode.IllegalState, message: target.refused } };
  logger.info({ task: key, by: r.by, argv0: r.command[0] }, 'exec in task');
  const result = await target.run(r.command, r.timeoutMs);
  return { ok: true, ...result };
}

/** The request, or what is wrong with it. */
export function parseRequest(data: Uint8Array): { request: ExecRequest } | { errors: FieldError[] } {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { errors: [{ path: '', code: FieldCode.InvalidFormat, message: 'not JSON' }] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { errors: [{ path: '', code: FieldCode.InvalidType, message: 'expected an object' }] };
  const errors: FieldError[] = [];
  for (const k of ['jobId', 'task'] as const) {
    if (typeof raw[k] !== 'string' || !SUBJECT_TOKEN.test(raw[k] as string)) errors.push({ path: k, code: FieldCode.InvalidFormat, message: `${k} must be a subject token` });
  }
  if (!Number.isInteger(raw.attempt) || (raw.attempt as number) < 1) errors.push({ path: 'attempt', code: FieldCode.OutOfRange, message: 'attempt must be an integer ≥ 1' });
  if (typeof raw.by !== 'string' || !raw.by) errors.push({ path: 'by', code: FieldCode.Required, message: 'by is required' });
  const timeoutSeconds = typeof raw.timeoutMs === 'number' ? raw.timeoutMs / 1000 : raw.timeoutMs;
  const body = validateExecBody({ command: raw.command, timeoutSeconds });
  if (!body.ok) errors.push(...body.errors);
  if (errors.length || !body.ok) return { errors };
  return { request: { jobId: raw.jobId as string, task: raw.task as string, attempt: raw.attempt as number, command: body.command, timeoutMs: body.timeoutMs, by: raw.by as string } };
}
