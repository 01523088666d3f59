import { ErrorCode, TrainyardError } from '@trainyard/contracts';

/**
 * How much of the leader's time dry runs may take: a token bucket of planning milliseconds. A dry
 * run plans the whole queue on the leader's thread, as a pass does; a client looping on
 * `--dry-run` must not starve the passes, so past the budget a dry run is refused UNAVAILABLE
 * ("retry") instead of delaying placement for everyone.
 *
 * @example
 * ```ts
 * const budget = new DryRunBudget({ msPerSecond: 250, burstMs: 1000 }, () => performance.now());
 * budget.take(); const t0 = performance.now(); plan(); budget.spent(performance.now() - t0);
 * ```
 */
export class DryRunBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: { msPerSecond: number; burstMs: number },
    private readonly now: () => number,
  ) {
    this.tokens = rate.burstMs;
    this.last = now();
  }

  /** Refuses when the budget is spent; otherwise the caller plans and reports what it took. */
  take(): void {
    const t = this.now();
    this.tokens = Math.min(this.rate.burstMs, this.tokens + ((t - this.last) / 1000) * this.rate.msPerSecond);
    this.last = t;
    if (this.tokens <= 0) {
      const waitMs = Math.ceil((-this.tokens / this.rate.msPerSecond) * 1000) + 1;
      throw new TrainyardError(ErrorCode.Unavailable, `dry runs have used their share of the scheduler's time; retry in ${waitMs} ms`);
    }
  }

  spent(ms: number): void {
    this.tokens -= ms;
  }
}
