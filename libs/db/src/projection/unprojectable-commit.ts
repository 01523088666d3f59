/**
 * The pure part of the projection (`commitChanges`) threw on a commit: its data does not have the
 * shape its event type promises (a writer's bug, or a commit written by hand). Pure code fails the
 * same way on the same input, so the failure is final (`poison`): the commit is quarantined at once.
 */
export class UnprojectableCommit extends Error {
  override readonly name = 'UnprojectableCommit';
  readonly code = 'UNPROJECTABLE_COMMIT';
  readonly retryable = false;
  readonly poison = true;
  constructor(
    readonly seq: number,
    readonly subject: string,
    options: ErrorOptions,
  ) {
    super(`commit ${seq} on ${subject} cannot be projected: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
  }
}
