/**
 * Runs a reconcile pass in response to triggers, one pass at a time: a trigger that arrives while a
 * pass runs asks for exactly one more pass afterwards, however many triggers came. Passes read the
 * latest state, so nothing is lost by folding triggers together.
 *
 * @example
 * ```ts
 * const loop = new CoalescingLoop(() => this.pass(), () => this.isLeader(), (err) => log(err));
 * subscription.onCommit(() => loop.kick());
 * ```
 */
export class CoalescingLoop {
  private running = false;
  private again = false;

  constructor(
    private readonly pass: () => Promise<void>,
    /** Checked before every pass: a deposed or stopped replica runs none. */
    private readonly mayRun: () => boolean,
    private readonly onError: (err: Error) => void,
  ) {}

  kick(): void {
    if (!this.mayRun()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && this.mayRun());
      } catch (err) {
        this.onError(err as Error);
      } finally {
        this.running = false;
      }
    })();
  }
}
