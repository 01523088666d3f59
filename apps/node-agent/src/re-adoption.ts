import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeLogBatch, lastSeqOf, Streams, Subjects, type TaskAssignment } from '@trainyard/contracts';
import type { LaunchRecord } from './launch-record';
import type { TaskRef } from './task-reconciler';
import type { TaskIdentity, TaskRuntime } from './task-runtime';

/**
 * Re-adoption (ARCHITECTURE decision 5): an agent that restarts follows the tasks its earlier run
 * launched instead of launching them again. Each launch record without a reported exit names its
 * runtime and assignment; the runtime finds the task by its identity (the supervised process
 * runtime by its run dir, the container runtime by its labels), replays its output from the first
 * line and reports its real exit, even when it ended while no agent ran. The replay (the prelude,
 * i.e. the pre-check's lines, first) numbers lines as the first run did; the lines TY_LOGS already
 * holds (`storedLines`) are skipped, the rest shipped, so the log has every line once.
 *
 * What cannot be adopted (a record of an older agent, a runtime that cannot adopt, nothing found) is
 * killed if its process is still there and reported lost, as before.
 */
export function adoptionRuntime(record: LaunchRecord, runtimes: Partial<Record<TaskAssignment['runtime'], TaskRuntime>>): TaskRuntime | undefined {
  if (record.exitReported || !record.assignment || !record.runtime) return undefined;
  const runtime = runtimes[record.runtime];
  return runtime?.adopt ? runtime : undefined;
}

export const identityOf = (nodeId: string, t: { jobId: string; task: string; attempt: number }): TaskIdentity => ({
  nodeId,
  jobId: t.jobId,
  task: t.task,
  attempt: t.attempt,
});

/**
 * How many lines of the attempt TY_LOGS already holds, from the last batch on the task's subject. A
 * re-adopting agent numbers on after them and skips them in its replay, so none of its batches
 * overlaps one already stored (the log store keeps one row per batch and ignores a batch whose first
 * line it has). A batch cut short by the crash was either stored whole or not at all.
 */
export async function storedLines(nc: NatsConnection, t: TaskRef): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const m = await jsm.streams.getMessage(Streams.logs, { last_by_subj: Subjects.log(t.jobId, t.task) }).catch(() => null);
  const b = m ? decodeLogBatch(m.data) : undefined;
  if (!b || b.attempt !== t.attempt) return 0;
  // A long line travels in pieces: one not finished is sent again whole.
  if (b.piece) return b.piece.last ? b.firstSeq : b.firstSeq - 1;
  return lastSeqOf(b);
}
