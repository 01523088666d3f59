/**
 * A commit carries an event type (or a schema version of it) this build does not know: a newer
 * writer. The projector quarantines it (`poison`: retrying in this build cannot help) rather than
 * guess; once the projector is upgraded, `yard admin quarantine retry` applies it, and a rebuild by the
 * upgraded build equals the live tables again.
 */
export class UnknownEventType extends Error {
  override readonly name = 'UnknownEventType';
  readonly code = 'UNKNOWN_EVENT_TYPE';
  readonly retryable = false;
  readonly poison = true;
  constructor(
    readonly type: string,
    readonly seq: number,
    readonly version?: number,
  ) {
    super(version === undefined ? `unknown event type ${JSON.stringify(type)} in commit ${seq}` : `event ${JSON.stringify(type)} version ${version} in commit ${seq} cannot be upcast by this build`);
  }
}
