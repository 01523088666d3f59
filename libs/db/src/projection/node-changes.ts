import { NODE_EVENT_TYPES, type StoredCommit } from '@trainyard/contracts';
import type { RowChange } from './row-change';
import { UnknownEventType } from './unknown-event-type';

/**
 * The rows one commit on `ty.ev.node.<nodeId>` writes. `NodeRegistered` shapes the `nodes` row
 * (the latest registration wins); the availability events of the fault manager set its availability
 * and isolation; task assignments, stop and restart requests are work orders for its agent, and the
 * job's own events already describe their effect.
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
    } else if (e.type === 'NodeSuspect') {
      const isolation = { reason: 'heartbeats-stopped', by: e.data.by, since: e.time };
      changes.push({ kind: 'update-node', id: nodeId, set: { availability: 'suspect', isolation: JSON.stringify(isolation), last_seq: commit.seq } });
    } else if (e.type === 'NodeIsolated' || e.type === 'NodeDraining') {
      const reason = e.type === 'NodeIsolated' ? e.data.reason : 'operator';
      const isolation = { reason, by: e.data.by, since: e.time, ...(e.data.detail !== undefined ? { detail: e.data.detail } : {}) };
      const availability = e.type === 'NodeIsolated' ? 'isolated' : 'draining';
      changes.push({ kind: 'update-node', id: nodeId, set: { availability, isolation: JSON.stringify(isolation), last_seq: commit.seq } });
    } else if (e.type === 'NodeReturned') {
      changes.push({ kind: 'update-node', id: nodeId, set: { availability: null, isolation: null, last_seq: commit.seq } });
    } else if (!(NODE_EVENT_TYPES as readonly string[]).includes(e.type)) {
      throw new UnknownEventType(e.type, commit.seq);
    }
  }
  return changes;
}
