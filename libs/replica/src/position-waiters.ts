/**
 * Lets a replica wait until its folded view of the log has reached a stream sequence — typically
 * its own last commit, so the next pass does not decide the same thing again.
 *
 * The wait is bounded: should the subscription lag or stall, a pass must not hang forever (every
 * later trigger would then be folded into a pass that never comes). Repeating a decision after a
 * timeout is harmless: command ids are deterministic and commits carry expected sequences.
 */
export class PositionWaiters {
  private readonly waiters: { seq: number; resolve: (reached: boolean) => void; timer: NodeJS.Timeout }[] = [];
  private closed = false;

  constructor(
    private readonly position: () => number,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Resolves `true` once `position() >= seq`, `false` on timeout or after `close()`. */
  wait(seq: number): Promise<boolean> {
    if (seq <= this.position()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = {
        seq,
        resolve,
        timer: setTimeout(() => this.settle(waiter, false), this.timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Call after the position moved. */
  release(): void {
    const at = this.position();
    for (const w of [...this.waiters]) if (w.seq <= at) this.settle(w, true);
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.waiters]) this.settle(w, false);
  }

  private settle(w: (typeof this.waiters)[number], reached: boolean): void {
    const i = this.waiters.indexOf(w);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    clearTimeout(w.timer);
    w.resolve(reached);
  }
}
