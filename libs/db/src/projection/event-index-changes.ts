import { type DomainEvent, type StoredCommit, storableText, Subjects } from '@trainyard/contracts';
import type { NewEventRow } from '../database';
import type { RowChange } from './row-change';

/**
 * The event-index rows of one commit (issue 17): one per event, with the job and the nodes it
 * concerns pulled out of its data so `GET /v1/events?job=…&node=…` is an index walk. Pure, like the
 * rest of the projection: the same commit always gives the same rows.
 */
export function eventIndexChanges(commit: StoredCommit): RowChange[] {
  const aggregate = Subjects.parseAggregate(commit.subject);
  if (!aggregate || commit.events.length === 0) return [];
  const rows: NewEventRow[] = commit.events.map((e, idx) => ({
    seq: commit.seq,
    idx,
    subject: commit.subject,
    aggregate: aggregate.kind,
    aggregate_id: aggregate.id,
    type: e.type,
    version: e.version,
    time: e.time,
    job_id: aggregate.kind === 'job' ? aggregate.id : jobOfWorkOrder(e),
    node_ids: nodesNamed(e, aggregate.kind === 'node' ? aggregate.id : undefined),
    task: 'task' in e.data && typeof e.data.task === 'string' ? storableText(e.data.task) : null,
    actor: commit.meta.actor,
    command_id: commit.meta.commandId,
    // The log holds the event exactly; the index holds what jsonb can (a NUL an injected commit
    // carried becomes U+FFFD) rather than quarantining a commit the read models applied.
    data: JSON.stringify(e.data, (_key, v: unknown) => (typeof v === 'string' ? storableText(v) : v)),
  }));
  return [{ kind: 'insert-events', rows }];
}

/** A node's work orders (assign, stop, restart) name the job they are for. */
function jobOfWorkOrder(e: DomainEvent): string | null {
  return 'jobId' in e.data && typeof e.data.jobId === 'string' ? e.data.jobId : null;
}

/** Every node an event names, sorted and once each. */
export function nodesNamed(e: DomainEvent, subjectNode?: string): string[] {
  const nodes = new Set<string>();
  if (subjectNode) nodes.add(subjectNode);
  const d = e.data as Record<string, unknown>;
  if (typeof d.nodeId === 'string') nodes.add(d.nodeId);
  if (e.type === 'JobScheduled' || e.type === 'JobRestarted') for (const p of e.data.placements ?? []) nodes.add(p.nodeId);
  if (e.type === 'RecoveryDecided') {
    if (e.data.fault.nodeId) nodes.add(e.data.fault.nodeId);
    for (const n of e.data.isolate) nodes.add(n);
  }
  return [...nodes].sort();
}
