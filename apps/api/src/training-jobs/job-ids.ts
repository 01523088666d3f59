import { createHash, randomUUID } from 'node:crypto';

/**
 * A job id and a command id for a request. With an `Idempotency-Key` header both derive from the key,
 * so a retried POST names the same job and its commit is deduplicated by the log (`Nats-Msg-Id`).
 */
export function idsFor(idempotencyKey: string | undefined): { jobId: string; commandId: string } {
  if (!idempotencyKey) return { jobId: randomUUID(), commandId: randomUUID() };
  const h = createHash('sha256').update(idempotencyKey).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return { jobId: uuid, commandId: `idem-${h.slice(0, 32)}` };
}
