import { event, type JobEvent, type JobEventData, type TaskUserError, type UserErrorCode } from '@trainyard/contracts';

export const USER_ERROR_CODES: readonly UserErrorCode[] = ['not-found', 'not-a-directory', 'outside-code-dir', 'image-unavailable', 'command-not-found', 'not-executable', 'invalid', 'too-large', 'access-denied'];

/** Spec fields whose fault is the guide's "training code download failed" (W05, L9971). */
const CODE_FIELDS = new Set(['algorithm.codeDir', 'algorithm.bootFile']);

type ExitReport = JobEventData['TaskExited'];

/** A `user-error` exit names its fault; any exit that carries one names a field, a known code and a message. */
export function wellFormedUserError(data: ExitReport): boolean {
  const u = data.userError;
  if (u === undefined) return data.reason !== 'user-error';
  return typeof u?.field === 'string' && u.field !== '' && USER_ERROR_CODES.includes(u.code) && typeof u.message === 'string';
}

/**
 * The job's own spec cannot run (issue 9): W05 first when the code is what is missing (L9971), then the
 * exit, then J08 naming the task and the field. Whatever the annotations: retrying cannot fix a spec.
 */
export function userErrorFailure(data: ExitReport, u: TaskUserError, now: string, exited: JobEvent): JobEvent[] {
  const w05 =
    data.reason === 'user-error' && CODE_FIELDS.has(u.field)
      ? [event('TaskCodeDownloadFailed', now, { task: data.task, attempt: data.attempt, nodeId: data.nodeId, elapsedSeconds: u.elapsedSeconds ?? 0, field: u.field, reason: u.message })]
      : [];
  const failed = event('JobFailed', now, {
    attempt: data.attempt,
    reason: 'user-error',
    task: data.task,
    exitCode: data.exitCode,
    field: u.field,
    message: `${data.task}: ${u.field}: ${u.message}`,
  });
  return [...w05, exited, failed];
}
