import { FieldCode, type ErrorBody, type FieldError } from './errors';
import { checkStorableInput } from './storable-input';
import { FieldErrors } from './validate-fields';

/**
 * Running a command in a running task (issue 15, `yard exec`): the body of
 * `POST /v1/training-jobs/{id}/tasks/{task}/exec`, what the API sends the task's agent on
 * `ty.exec.<nodeId>`, and its answer. The command runs as the task's user in its working directory
 * (a container's: `docker exec` as its user), with the task's environment; output is bounded.
 *
 * @example
 * ```ts
 * { "command": ["id", "-u"], "timeoutSeconds": 10 }
 * // → { "exitCode": 0, "signal": null, "stdout": "1000\n", "stderr": "", "truncated": false, "timedOut": false }
 * ```
 */
export interface ExecBody {
  command: string[];
  timeoutSeconds?: number;
}

export const EXEC_LIMITS = {
  maxArgs: 64,
  maxArgBytes: 4096,
  defaultTimeoutSeconds: 30,
  maxTimeoutSeconds: 600,
  /** Per stream; more is cut and `truncated` says so. */
  maxOutputBytes: 1024 * 1024,
} as const;

/** What the API asks of the agent (after `TaskExecRequested` is committed). */
export interface ExecRequest {
  jobId: string;
  task: string;
  attempt: number;
  command: string[];
  timeoutMs: number;
  /** The principal it runs for (the audit has it; the agent logs it). */
  by: string;
}

export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** An output went over `maxOutputBytes` and was cut. */
  truncated: boolean;
  /** The command ran past its time-out and was killed. */
  timedOut: boolean;
}

export type ExecReply = ({ ok: true } & ExecResult) | { ok: false; error: ErrorBody };

/** Checks an exec body: a non-empty argv of storable strings within the limits, a time-out in range. */
export function validateExecBody(input: unknown): { ok: true; command: string[]; timeoutMs: number } | { ok: false; errors: FieldError[] } {
  const e = new FieldErrors();
  checkStorableInput(input, '', e);
  if (e.list.length) return { ok: false, errors: e.list };
  const body = (input ?? {}) as Record<string, unknown>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { ok: false, errors: [{ path: '', code: FieldCode.InvalidType, message: 'the body must be an object' }] };
  for (const k of Object.keys(body)) if (k !== 'command' && k !== 'timeoutSeconds') e.add(k, FieldCode.Unknown, `unknown field ${k}`);
  const cmd = body.command;
  if (cmd === undefined) e.add('command', FieldCode.Required, 'command is required: the program and its arguments');
  else if (!Array.isArray(cmd)) e.add('command', FieldCode.InvalidType, 'command must be a list of strings');
  else {
    if (cmd.length === 0) e.add('command', FieldCode.Required, 'command needs at least the program');
    if (cmd.length > EXEC_LIMITS.maxArgs) e.add('command', FieldCode.TooMany, `at most ${EXEC_LIMITS.maxArgs} arguments`);
    cmd.forEach((a, i) => {
      if (typeof a !== 'string') e.add(`command[${i}]`, FieldCode.InvalidType, 'each argument must be a string');
      else if (new TextEncoder().encode(a).length > EXEC_LIMITS.maxArgBytes) e.add(`command[${i}]`, FieldCode.TooLong, `at most ${EXEC_LIMITS.maxArgBytes} bytes`);
      else if (i === 0 && a.length === 0) e.add('command[0]', FieldCode.Required, 'the program must be named');
    });
  }
  const t = body.timeoutSeconds ?? EXEC_LIMITS.defaultTimeoutSeconds;
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > EXEC_LIMITS.maxTimeoutSeconds) {
    e.add('timeoutSeconds', FieldCode.OutOfRange, `an integer from 1 to ${EXEC_LIMITS.maxTimeoutSeconds}`);
  }
  return e.list.length ? { ok: false, errors: e.list } : { ok: true, command: cmd as string[], timeoutMs: (t as number) * 1000 };
}
