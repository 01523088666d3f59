import type { FieldError } from '@trainyard/contracts';

/** Exit codes of `yard`: 0 success, 1 an error, 2 a usage error (bad flags or arguments). */
export const ExitCode = {
  Ok: 0,
  Error: 1,
  Usage: 2,
  /** `yard wait --timeout` ran out before the job reached the state (like timeout(1)). */
  Timeout: 124,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  Interrupted: 130,
} as const;

/**
 * A failure found on this side of the wire (unreadable spec file, job ended elsewhere than waited for, …).
 * `details`: the offending fields, as the API reports them (a copy refused before it is sent).
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number = ExitCode.Error,
    options?: ErrorOptions,
    readonly details: readonly FieldError[] = [],
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong; exits 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super('USAGE', message, ExitCode.Usage);
    this.name = 'UsageError';
  }
}
