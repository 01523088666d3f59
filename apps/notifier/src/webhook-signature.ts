import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a webhook request (issue 15), in the header `Trainyard-Signature`:
 * `t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<body>", secret)>`. The time is signed with the body, so a
 * receiver can refuse replays older than it tolerates; each attempt signs anew (the body is the same).
 *
 * @example
 * ```ts
 * const header = signWebhook(secret, body, 1764745200); // 't=1764745200,v1=5f0c…'
 * verifyWebhook(secret, body, header, { now: 1764745230, toleranceSeconds: 300 }) // true
 * ```
 */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, unixSeconds, body)}`;
}

/** A receiver's check: the header parses, its time is within `toleranceSeconds` of `now`, and a v1 signature matches. */
export function verifyWebhook(secret: string, body: string, header: string | undefined, opts: { now: number; toleranceSeconds: number }): boolean {
  if (!header) return false;
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(opts.now - t) > opts.toleranceSeconds) return false;
  const want = Buffer.from(hmacHex(secret, t, body), 'hex');
  return parts.some(([k, v]) => {
    if (k !== 'v1' || !v || !/^[0-9a-f]{64}$/.test(v)) return false;
    return timingSafeEqual(Buffer.from(v, 'hex'), want);
  });
}

function hmacHex(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`, 'utf8').digest('hex');
}
