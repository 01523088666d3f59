/**
 * Deletes stored output and resource samples older than the retention (the guide keeps historical
 * logs and monitoring data 30 days, ch14 §4.1, §5.1), now and then every `everyMs`.
 */
export class LogRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly prune: (before: Date) => Promise<unknown>,
    private readonly options: { retentionMs: number; everyMs: number; now?: () => Date; log?: (msg: string) => void },
  ) {}

  start(): this {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.options.everyMs);
    this.timer.unref();
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; resolves when done (tests call it directly). */
  runOnce(): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))();
    return this.prune(new Date(now.getTime() - this.options.retentionMs)).then(() => undefined);
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.runOnce()
      .catch((err) => this.options.log?.(`retention pass failed: ${(err as Error).message}`))
      .finally(() => (this.running = undefined));
  }
}

const DAY_MS = 86_400_000;

/** `TY_LOG_RETENTION_DAYS` (default 30, as the guide) in milliseconds. */
export function retentionFromEnv(env: Record<string, string | undefined> = process.env): number {
  const days = Number(env.TY_LOG_RETENTION_DAYS ?? 30);
  if (!Number.isFinite(days) || days <= 0) throw new Error(`TY_LOG_RETENTION_DAYS=${env.TY_LOG_RETENTION_DAYS} must be a positive number of days`);
  return days * DAY_MS;
}
