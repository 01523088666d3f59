/**
 * A commit carries an event type this build does not know (a newer writer). The projector stops
 * there rather than skip it: skipping would leave the live tables different from a rebuild made
 * once the projector is upgraded.
 */
export class UnknownEventType extends Error {
  override readonly name = 'UnknownEventType';
  readonly code = 'UNKNOWN_EVENT_TYPE';
  readonly retryable = false;
  constructor(
    readonly type: string,
    readonly seq: number,
  ) {
    super(`unknown event type ${JSON.stringify(type)} in commit ${seq}`);
  }
}
