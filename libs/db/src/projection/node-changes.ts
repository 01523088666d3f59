import { NODE_EVENT_TYPES, type StoredCommit } from '@trainyard/contracts';
import type { RowChange } from './row-change';
import { UnknownEventType } from './unknown-event-type';

/**
 * The rows one commit on `ty.ev.node.<nodeId>` writes. Only `NodeRegistered` shapes the `nodes` row
 * (the latest registration wins); task assignments and stop requests on a node subject are work
 * orders for its agent, and the job's own events already describe their effect.
 */
export function nodeChanges(nodeId: string, commit: StoredCommit): RowChange[] {
  const changes: RowChange[] = [];
  for (const e of commit.events) {
    if (e.type === 'NodeRegistered') {
      const { host, pool, capacity, labels } = e.data;
      changes.push({
        kind: 'upsert-node',
        row: {
          id: nodeId,
          host,
          pool,
          capacity: JSON.stringify(capacity),
          labels: JSON.stringify(labels),
          registered_at: e.time,
          last_seq: commit.seq,
        },
      });
    } else if (!(NODE_EVENT_TYPES as readonly string[]).includes(e.type)) {
      throw new UnknownEventType(e.type, commit.seq);
    }
  }
  return changes;
}
