import { answerOutcome, type BackoffPolicy, retryDelayMs } from '@trainyard/domain';
import { claimDueDeliveries, type ClaimedDelivery, type DatabaseHandle, nextDeliveryDue, recordAttempt, subscriptionSecret } from '@trainyard/db';
import { counter, histogram, LATENCY_BUCKETS } from '@trainyard/telemetry';
import { signWebhook } from './webhook-signature';

const attempts = counter('trainyard_notification_attempts_total', 'Webhook requests by what they came to: delivered, retry, failed, cancelled', ['outcome', 'event']);
const requestSeconds = histogram('trainyard_notification_request_seconds', 'Time one webhook request took (answer or error)', [], LATENCY_BUCKETS);
import { sendWebhook } from './webhook-sender';

export interface DeliveryWorkerOptions {
  backoff: BackoffPolicy;
  /** How long one request may take before it counts as failed. */
  timeoutMs: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Longest sleep between looks for due deliveries (others' claims run out, clocks drift). */
  pollMs: number;
  log: (level: 'info' | 'warn', msg: string) => void;
  /** Randomness is an input of the back-off (its jitter). */
  random?: () => number;
  /** How long a claim holds a delivery against other senders. Default 3 × `timeoutMs` + 5 s. */
  claimMs?: number;
}

/**
 * Sends what the delivery log says is due: claims a batch (so a second notifier skips them), signs
 * and POSTs each, records every attempt with its status, and schedules the next one with the
 * back-off or gives up after the last. A notifier killed mid-request leaves its claim to run out;
 * the delivery is then sent again under the same idempotency key, which is what lets a receiver
 * take it once.
 */
export class DeliveryWorker {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly database: DatabaseHandle,
    private readonly opts: DeliveryWorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something became due (a commit made deliveries): look now rather than at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  /** Stops claiming; waits for the requests in flight and their records. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const claimMs = this.opts.claimMs ?? this.opts.timeoutMs * 3 + 5_000;
    while (this.running) {
      try {
        const room = this.opts.concurrency - this.inFlight.size;
        if (room <= 0) {
          await Promise.race(this.inFlight);
          continue;
        }
        const claimed = await claimDueDeliveries(this.database.db, new Date(), room, claimMs);
        for (const d of claimed) {
          const p = this.deliver(d).finally(() => this.inFlight.delete(p));
          this.inFlight.add(p);
        }
        if (claimed.length && claimed.length === room) continue;
        await this.sleep(claimed.length ? 0 : await this.untilDue());
      } catch (err) {
        this.opts.log('warn', `delivery loop: ${(err as Error).message}`);
        await this.sleep(this.opts.pollMs);
      }
    }
  }

  private async untilDue(): Promise<number> {
    const due = await nextDeliveryDue(this.database.db);
    if (!due) return this.opts.pollMs;
    return Math.max(0, Math.min(this.opts.pollMs, due.getTime() - Date.now()));
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const attempt = d.attempts + 1;
    const at = new Date();
    const secret = await subscriptionSecret(this.database.db, d.subscriptionId);
    if (secret === undefined) {
      // Removed meanwhile (its secret goes with it): nothing is sent unsigned.
      await recordAttempt(this.database.db, { key: d.key, attempt, at, statusCode: null, outcome: 'cancelled', error: 'the subscription was removed', durationMs: 0 });
      return;
    }
    const signature = signWebhook(secret, d.body, Math.floor(at.getTime() / 1000));
    const sent = await sendWebhook({ url: d.url, body: d.body, key: d.key, event: d.event, attempt, signature }, this.opts.timeoutMs);
    requestSeconds.observe(sent.durationMs / 1000);
    const answer = answerOutcome(sent.statusCode);
    const base = { key: d.key, attempt, at, statusCode: sent.statusCode ?? null, durationMs: sent.durationMs };
    const error = sent.error ?? (answer === 'delivered' ? null : `HTTP ${sent.statusCode}`);
    if (answer === 'delivered') {
      await recordAttempt(this.database.db, { ...base, outcome: 'delivered', error: null });
      attempts.inc({ outcome: 'delivered', event: d.event });
      return;
    }
    const delay = answer === 'gone' ? undefined : retryDelayMs(attempt, this.opts.backoff, (this.opts.random ?? Math.random)());
    attempts.inc({ outcome: delay === undefined ? 'failed' : 'retry', event: d.event });
    if (delay === undefined) {
      this.opts.log('warn', `delivery ${d.key} failed after ${attempt} attempt(s): ${error}`);
      await recordAttempt(this.database.db, { ...base, outcome: 'failed', error });
    } else {
      await recordAttempt(this.database.db, { ...base, outcome: 'retry', error, nextAttemptAt: new Date(Date.now() + delay) });
    }
  }
}
