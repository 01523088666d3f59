import type { DeadLetterView } from '@trainyard/contracts';
import { firstLine, formatTime, renderTable } from './format';

/** `yard admin quarantine`: one row per dead letter, newest first, and how to act on them. */
export function formatQuarantine(items: readonly DeadLetterView[]): string {
  if (items.length === 0) return 'No quarantined messages.\n';
  const rows = items.map((l) => [
    l.id,
    l.state,
    formatTime(l.quarantinedAt),
    l.consumer,
    `${l.stream}:${l.seq}`,
    l.subject,
    String(l.attempts),
    l.code,
    firstLine(l.message),
  ]);
  const table = renderTable(['ID', 'STATE', 'QUARANTINED', 'CONSUMER', 'MESSAGE', 'SUBJECT', 'TRIES', 'CODE', 'ERROR'], rows);
  const open = items.filter((l) => l.state === 'quarantined');
  if (!open.length) return table;
  const hint = open.some((l) => l.retryable)
    ? 'After fixing the cause: yard admin quarantine retry ID. To accept the loss: yard admin quarantine dismiss ID --reason TEXT.\n'
    : 'To accept the loss: yard admin quarantine dismiss ID --reason TEXT.\n';
  return table + hint;
}
