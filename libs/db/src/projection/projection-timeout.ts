/**
 * `Projector.waitFor` gave up: the read models had not reached `seq` within the timeout. The write
 * itself is committed to the log; only reading it back is not possible yet, so retrying is fine.
 */
export class ProjectionTimeout extends Error {
  override readonly name = 'ProjectionTimeout';
  readonly code = 'PROJECTION_TIMEOUT';
  readonly retryable = true;
  constructor(
    readonly seq: number,
    readonly position: number,
    readonly timeoutMs: number,
  ) {
    super(`read models at ${position} did not reach ${seq} within ${timeoutMs} ms`);
  }
}
