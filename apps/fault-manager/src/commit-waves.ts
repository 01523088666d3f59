import { fnv1a32 } from '@trainyard/contracts';
import type { FaultAction } from './fault-actions';

/** Actions against one aggregate, committed together: one read, one decision, one append. */
export interface CommitBatch {
  kind: FaultAction['kind'];
  /** The job or node id. */
  id: string;
  /** In plan order; a batch of one commits under its own command id. */
  actions: FaultAction[];
}

/**
 * The order a pass commits its plan in. The plan's order matters only across kinds (a node is
 * isolated before its job is placed again, ch12 §2.1), so each run of consecutive actions of one kind
 * is a wave, the waves one after the other; within a wave different aggregates commit side by side and
 * the actions on one aggregate go in one commit. Committed one by one, a node back from a partition
 * got its 44 fence stops over 36 s (each a read of the node's whole history, then an append); as
 * one commit they arrive together.
 */
export function commitWaves(actions: readonly FaultAction[]): CommitBatch[][] {
  const waves: CommitBatch[][] = [];
  let wave = new Map<string, CommitBatch>();
  let kind: FaultAction['kind'] | undefined;
  for (const a of actions) {
    if (a.kind !== kind && wave.size > 0) {
      waves.push([...wave.values()]);
      wave = new Map();
    }
    kind = a.kind;
    const id = a.kind === 'job' ? a.jobId : a.nodeId;
    const batch = wave.get(id);
    if (batch) batch.actions.push(a);
    else wave.set(id, { kind: a.kind, id, actions: [a] });
  }
  if (wave.size > 0) waves.push([...wave.values()]);
  return waves;
}

/** A batch's own command id: the same actions give the same id, so a retried batch is stored once. */
export function batchCommandId(batch: CommitBatch): string {
  if (batch.actions.length === 1) return batch.actions[0]!.commandId;
  const h = fnv1a32(batch.actions.map((a) => a.commandId).join('|')).toString(16);
  return `batch/${batch.kind}/${batch.id}/${batch.actions.length}/${h}`;
}

/** Runs `work` over `items`, at most `limit` at once, and returns the results in order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
