import type { TaskUserError, UserErrorCode } from '@trainyard/contracts';

/**
 * The job's own spec cannot run on this node (issue 9): a code dir, boot file or working dir that is
 * not there, an image that cannot be had, an algorithm that names no command. The agent reports the
 * task's exit as `user-error` with the field, the job fails with it, and the node is never blamed. An
 * error of the agent itself (a runtime missing, a spawn failure) is a `LaunchError` instead.
 *
 * @example
 * ```ts
 * throw new SpecError('algorithm.codeDir', 'not-found', 'code dir /data/code is not a directory on this node');
 * ```
 */
export class SpecError extends Error {
  override readonly name: string = 'SpecError';

  constructor(
    /** The spec path at fault, e.g. `algorithm.codeDir`. */
    readonly field: string,
    readonly code: UserErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** The exit report's `userError`; `elapsedSeconds` is how long preparing took before it was found. */
  toUserError(elapsedSeconds?: number): TaskUserError {
    return { field: this.field, code: this.code, message: this.message, ...(elapsedSeconds !== undefined ? { elapsedSeconds } : {}) };
  }
}
