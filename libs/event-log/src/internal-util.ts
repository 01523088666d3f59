/** A one-shot signal: `open()` resolves `promise`; later calls do nothing. */
export class Latch {
  readonly promise: Promise<void>;
  private resolve!: () => void;
  private opened = false;

  constructor() {
    this.promise = new Promise<void>((r) => (this.resolve = r));
  }

  get isOpen(): boolean {
    return this.opened;
  }

  open(): void {
    if (this.opened) return;
    this.opened = true;
    this.resolve();
  }
}

/** Capped exponential backoff with jitter: ~50 ms, 100 ms, … up to 2 s. */
export function backoffMs(attempt: number, baseMs = 50, capMs = 2_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Sleeps `ms`, waking early when `stop` opens. */
export async function sleepUnlessStopped(ms: number, stop: Latch): Promise<void> {
  if (stop.isOpen || ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise<void>((r) => (timer = setTimeout(r, ms))), stop.promise]);
  clearTimeout(timer);
}

type OnError<C> = ((err: unknown, commit: C) => void) | undefined;

/** Calls the caller's error hook (never letting it throw into the delivery loop), or logs. */
export function reportError<C extends { subject: string; seq: number }>(onError: OnError<C>, err: unknown, commit: C): void {
  try {
    if (onError) onError(err, commit);
    // A subscription that stalls silently is worse than a noisy one.
    else console.error(`[event-log] ${commit.subject}#${commit.seq}:`, err);
  } catch {
    // The hook's own failure must not break delivery.
  }
}
