import { WebhookHeaders } from '@trainyard/contracts';

/** What one HTTP attempt came to: the answer's status, or the error that kept it from coming. */
export interface SendResult {
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface WebhookRequest {
  url: string;
  body: string;
  key: string;
  event: string;
  attempt: number;
  signature: string;
}

/**
 * POSTs one webhook. Redirects are not followed (a 3xx is an answer to try again, not a new address
 * to send a signed body to); the answer's body is not read. Never throws.
 */
export async function sendWebhook(r: WebhookRequest, timeoutMs: number): Promise<SendResult> {
  const started = performance.now();
  try {
    const res = await fetch(r.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'trainyard-notifier',
        [WebhookHeaders.signature]: r.signature,
        [WebhookHeaders.idempotencyKey]: r.key,
        [WebhookHeaders.event]: r.event,
        [WebhookHeaders.attempt]: String(r.attempt),
      },
      body: r.body,
    });
    await res.body?.cancel().catch(() => undefined);
    return { statusCode: res.status, durationMs: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const error = e.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { error, durationMs: Math.round(performance.now() - started) };
  }
}
