import { ErrorCode, FieldCode, SUBJECT_TOKEN, TrainyardError, type Caller, type FieldError } from '@trainyard/contracts';

/**
 * Checks the envelope every scheduler command shares — commandId, jobId, caller — and reports every
 * bad field at once. The job spec itself is validated by the decider (`validateJobSpec`).
 */
export function parseCommand(raw: unknown): { commandId: string; jobId: string; caller: Caller; body: Record<string, unknown> } {
  const errors: FieldError[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TrainyardError(ErrorCode.ValidationFailed, 'a command must be a JSON object', [
      { path: '', code: FieldCode.InvalidType, message: 'expected an object' },
    ]);
  }
  const body = raw as Record<string, unknown>;
  const str = (path: string, v: unknown, pattern: RegExp) => {
    if (typeof v !== 'string') errors.push({ path, code: FieldCode.Required, message: `${path} must be a string` });
    else if (!pattern.test(v)) errors.push({ path, code: FieldCode.InvalidFormat, message: `${path} has an invalid format` });
  };
  str('commandId', body.commandId, /^[A-Za-z0-9_\-/.:]{1,200}$/);
  str('jobId', body.jobId, SUBJECT_TOKEN);
  const caller = body.caller as Caller | undefined;
  if (!caller || typeof caller !== 'object') errors.push({ path: 'caller', code: FieldCode.Required, message: 'caller is required' });
  else {
    if (typeof caller.id !== 'string' || !caller.id) errors.push({ path: 'caller.id', code: FieldCode.Required, message: 'caller.id is required' });
    if (!Array.isArray(caller.permissions) || caller.permissions.some((p) => typeof p !== 'string')) {
      errors.push({ path: 'caller.permissions', code: FieldCode.InvalidType, message: 'caller.permissions must be a list of strings' });
    }
  }
  if (errors.length) throw new TrainyardError(ErrorCode.ValidationFailed, 'invalid command', errors);
  return { commandId: body.commandId as string, jobId: body.jobId as string, caller: caller!, body };
}
