import {
  CALLER_LIMITS, checkStorableInput, COMMAND_ID, ErrorCode, FieldCode, FieldErrors, INPUT_LIMITS, SUBJECT_TOKEN, TRACEPARENT, TrainyardError, type Caller,
} from '@trainyard/contracts';

/**
 * Checks the envelope every scheduler command shares — commandId, jobId, caller, traceparent — and
 * the text rule over the whole command (anything may publish on `ty.cmd.*`, so nothing the API
 * checked is taken for granted), and reports every bad field at once. The job spec itself is
 * validated by the decider (`validateJobSpec`). `bytes` is the size of the message on the wire.
 */
export function parseCommand(raw: unknown, bytes = 0): { commandId: string; jobId: string; caller: Caller; body: Record<string, unknown> } {
  if (bytes > INPUT_LIMITS.commandBytes) {
    throw new TrainyardError(ErrorCode.ValidationFailed, `a command is at most ${INPUT_LIMITS.commandBytes} bytes`, [
      { path: '', code: FieldCode.TooLong, message: `the command has ${bytes} bytes` },
    ]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'a command must be a JSON object', [
      { path: '', code: FieldCode.InvalidType, message: 'expected an object' },
    ]);
  }
  const e = new FieldErrors();
  checkStorableInput(raw, '', e);
  if (e.list.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid command', e.list);
  const body = raw as Record<string, unknown>;
  const str = (path: string, v: unknown, pattern: RegExp) => {
    if (typeof v !== 'string') e.add(path, FieldCode.Required, `${path} must be a string`);
    else if (!pattern.test(v)) e.add(path, FieldCode.InvalidFormat, `${path} has an invalid format`);
  };
  str('commandId', body.commandId, COMMAND_ID);
  str('jobId', body.jobId, SUBJECT_TOKEN);
  if (body.traceparent !== undefined) str('traceparent', body.traceparent, TRACEPARENT);
  const caller = body.caller as Caller | undefined;
  if (!caller || typeof caller !== 'object') e.add('caller', FieldCode.Required, 'caller is required');
  else {
    if (typeof caller.id !== 'string' || !caller.id) e.add('caller.id', FieldCode.Required, 'caller.id is required');
    else if (caller.id.length > CALLER_LIMITS.idLength) e.add('caller.id', FieldCode.TooLong, `caller.id is at most ${CALLER_LIMITS.idLength} characters`);
    if (!Array.isArray(caller.permissions) || caller.permissions.some((p) => typeof p !== 'string')) {
      e.add('caller.permissions', FieldCode.InvalidType, 'caller.permissions must be a list of strings');
    } else if (caller.permissions.length > CALLER_LIMITS.permissions || caller.permissions.some((p) => p.length > CALLER_LIMITS.permissionLength)) {
      e.add('caller.permissions', FieldCode.TooMany, `at most ${CALLER_LIMITS.permissions} permissions of ${CALLER_LIMITS.permissionLength} characters`);
    }
  }
  if (e.list.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid command', e.list);
  return { commandId: body.commandId as string, jobId: body.jobId as string, caller: caller!, body };
}
