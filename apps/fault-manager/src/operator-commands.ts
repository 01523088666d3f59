import { CALLER_LIMITS, checkStorableInput, COMMAND_ID, ErrorCode, FieldCode, FieldErrors, SUBJECT_TOKEN, TrainyardError } from '@trainyard/contracts';
import type { NodeCommand } from '@trainyard/domain';

/** The verbs operators send to the fault manager on `ty.cmd.fault-manager.<verb>`. */
export const FaultManagerVerbs = {
  /** Take a node out of service: nothing new is placed there; what runs keeps running. */
  cordon: 'cordon',
  /** Out of service, and its tasks are stopped and recovered elsewhere (per their jobs' policy). */
  drain: 'drain',
  /** Back in service. */
  uncordon: 'uncordon',
} as const;
export type FaultManagerVerb = (typeof FaultManagerVerbs)[keyof typeof FaultManagerVerbs];

/**
 * The body of an operator command.
 *
 * @example
 * ```json
 * { "commandId": "4f0c…", "nodeId": "gpu-07", "caller": { "id": "user:ops", "permissions": [] }, "reason": "fan failure", "graceMs": 30000 }
 * ```
 */
export interface NodeOperatorCommand {
  commandId: string;
  nodeId: string;
  caller: { id: string; permissions: string[] };
  reason?: string;
  /** Drain only: SIGTERM → SIGKILL of the node's tasks. */
  graceMs?: number;
}

/** An operator's reason is a sentence, recorded with the node's events. */
export const NODE_REASON_MAX_CHARS = 500;

/** Checks the wire body and turns it into the node command the verb means. */
export function toNodeCommand(verb: string, raw: unknown, now: string, defaultDrainGraceMs: number): { body: NodeOperatorCommand; command: NodeCommand } {
  const b = raw as Partial<NodeOperatorCommand> | null;
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'the command must be a JSON object', [{ path: '', code: FieldCode.InvalidType, message: 'expected an object' }]);
  }
  // Anything may publish on ty.cmd.*: the text rule and the shape bounds hold here too.
  const e = new FieldErrors();
  checkStorableInput(b, '', e);
  if (e.list.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid command', e.list);
  if (typeof b.commandId !== 'string' || !COMMAND_ID.test(b.commandId)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'commandId is required', [{ path: 'commandId', code: FieldCode.InvalidFormat, message: 'a command id: 1–200 of [A-Za-z0-9_-/.:]' }]);
  }
  if (typeof b.nodeId !== 'string' || !SUBJECT_TOKEN.test(b.nodeId)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'nodeId must match [A-Za-z0-9_-]{1,128}', [{ path: 'nodeId', code: FieldCode.InvalidFormat, message: 'a node id' }]);
  }
  if (b.reason !== undefined && (typeof b.reason !== 'string' || [...b.reason].length > NODE_REASON_MAX_CHARS)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid reason', [{ path: 'reason', code: FieldCode.TooLong, message: `a string of at most ${NODE_REASON_MAX_CHARS} characters` }]);
  }
  const callerOk = b.caller && typeof b.caller.id === 'string' && b.caller.id.length > 0 && b.caller.id.length <= CALLER_LIMITS.idLength;
  if (b.caller !== undefined && !callerOk) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid caller', [{ path: 'caller.id', code: FieldCode.InvalidFormat, message: `1–${CALLER_LIMITS.idLength} characters` }]);
  }
  const caller = callerOk ? b.caller! : { id: 'unknown', permissions: [] };
  const body = { commandId: b.commandId, nodeId: b.nodeId, caller, ...(typeof b.reason === 'string' ? { reason: b.reason } : {}), ...(typeof b.graceMs === 'number' ? { graceMs: b.graceMs } : {}) };
  const metadata = { now };
  const by = caller.id;
  switch (verb) {
    case FaultManagerVerbs.cordon:
      return { body, command: { type: 'IsolateNode', data: { reason: 'operator', by, ...(body.reason ? { detail: body.reason } : {}) }, metadata } };
    case FaultManagerVerbs.drain:
      return { body, command: { type: 'DrainNode', data: { by, graceMs: body.graceMs ?? defaultDrainGraceMs, ...(body.reason ? { detail: body.reason } : {}) }, metadata } };
    case FaultManagerVerbs.uncordon:
      return { body, command: { type: 'ReturnNode', data: { by, reason: body.reason ?? `uncordoned by ${by}` }, metadata } };
    default:
      throw new TrainyardError(ErrorCode.ValidationFailed, `unknown fault-manager command ${verb}`);
  }
}
