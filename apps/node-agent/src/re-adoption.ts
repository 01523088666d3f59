import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeLogBatch, lastSeqOf, Streams, Subjects, type TaskAssignment } from '@trainyard/contracts';
import type { AgentLogger } from './agent-logger';
import type { AgentReports } from './agent-reports';
import { killLeftover, type LaunchRecord, type LaunchRecords, PLATFORM_RELAUNCHES } from './launch-record';
import { type TaskRef, taskKey } from './task-reconciler';
import type { LineSink, TaskHandle, TaskIdentity, TaskRuntime } from './task-runtime';
import type { TaskSlot, TaskSlots } from './task-slots';

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
 * How many lines of the attempt TY_LOGS already holds, from the last batch on the task's subjects (any node). A
 * re-adopting agent numbers on after them and skips them in its replay, so none of its batches
 * overlaps one already stored (the log store keeps one row per batch and ignores a batch whose first
 * line it has). A batch cut short by the crash was either stored whole or not at all.
 */
export async function storedLines(nc: NatsConnection, t: TaskRef): Promise<number> {
  const jsm = await jetstreamManager(nc);
  // Every node's subject of the task: a pod moved here goes on after the lines of the node it left.
  const m = await jsm.streams.getMessage(Streams.logs, { last_by_subj: Subjects.taskLogs(t.jobId, t.task) }).catch(() => null);
  const b = m ? decodeLogBatch(m.data) : undefined;
  if (!b || b.attempt !== t.attempt) return 0;
  // A long line travels in pieces: one not finished is sent again whole.
  if (b.piece) return b.piece.last ? b.firstSeq : b.firstSeq - 1;
  return lastSeqOf(b);
}

export interface EarlierRunDeps {
  nodeId: string;
  nc: NatsConnection;
  records: LaunchRecords;
  runtimes: Partial<Record<TaskAssignment['runtime'], TaskRuntime>>;
  reports: AgentReports;
  slots: TaskSlots;
  logger: AgentLogger;
}

/** What settling an earlier run changes in the task lifecycle (task-lifecycle.ts). */
export interface AdoptingLifecycle {
  settled(key: string): void;
  adopted(key: string, record: LaunchRecord, slot: TaskSlot, handle: TaskHandle): void;
  /** Launches the attempt of `record` again (same attempt), as if its assignment had just come. */
  relaunch(key: string, record: LaunchRecord): Promise<void>;
}

/**
 * At start, before any commit: attempts an earlier run of this agent launched are never launched
 * twice. Those whose exit was never reported are re-adopted through their runtime. One whose command
 * surely never ran (the agent died before or while launching it: past its pre-check, not started) is
 * the platform's loss, not the job's: it is launched again, same attempt, once (`PLATFORM_RELAUNCHES`),
 * whatever the job's annotations — the launch's own checks against the job's history still decide.
 * What is left is killed if still there and reported lost, so the job's policy can recover it.
 */
export async function settleEarlierRun(deps: EarlierRunDeps, tasks: AdoptingLifecycle): Promise<void> {
  const { records, reports, logger } = deps;
  for (const record of await records.list()) {
    const key = taskKey(record);
    tasks.settled(key);
    if (record.exitReported) continue;
    if (await adopt(deps, tasks, key, record)) continue;
    if (await neverRan(deps, record)) {
      logger.warn({ task: key, relaunches: (record.relaunches ?? 0) + 1 }, 'the node agent died before the task\'s command ran; launching it again');
      await tasks.relaunch(key, record);
      continue;
    }
    const killed = await killLeftover(record);
    const error = 'the node agent restarted while the task ran; its process was not adopted';
    logger.warn({ task: key, killed }, error);
    const outcome = await reports.exited(record, undefined, { exitCode: null, signal: killed ? 'SIGKILL' : null }, 'lost', error);
    if (outcome) await records.update(record, { exitReported: true });
  }
}

/**
 * Whether the attempt of `record` is one the platform may launch again: its start was never reported,
 * it was launched again fewer than `PLATFORM_RELAUNCHES` times, and its runtime can tell that its
 * command never ran (a runtime that cannot tell is never relaunched).
 */
async function neverRan(deps: EarlierRunDeps, record: LaunchRecord): Promise<boolean> {
  if (record.startReported || !record.assignment || !record.runtime || (record.relaunches ?? 0) >= PLATFORM_RELAUNCHES) return false;
  const runtime = deps.runtimes[record.runtime];
  if (!runtime?.everStarted) return false;
  return !(await runtime.everStarted(identityOf(deps.nodeId, record)).catch(() => true));
}

/** Follows a task of an earlier run: its output replayed from the first line, its exit reported. */
async function adopt(deps: EarlierRunDeps, tasks: AdoptingLifecycle, key: string, record: LaunchRecord): Promise<boolean> {
  const { nodeId, nc, runtimes, slots, logger } = deps;
  const runtime = adoptionRuntime(record, runtimes);
  if (!runtime) return false;
  // The replay numbers lines as the first run did: those already in TY_LOGS are skipped. A process
  // restarted in place numbers on from `firstSeq` (the pre-check's lines belong to the first one).
  const stored = await storedLines(nc, record);
  const base = record.firstSeq ?? 1;
  const slot = slots.open(key, record.assignment!, Math.max(stored, base - 1) + 1);
  let seq = base - 1;
  // Every replayed line is in the tail (the exit is explained from it); only the new ones are shipped.
  const sink: LineSink = (stream, text) => {
    slot.tail.push(stream, text);
    return ++seq > stored ? slot.shipper.push(stream, text) : undefined;
  };
  if (record.firstSeq === undefined) for (const l of record.prelude ?? []) void sink(l.stream, l.text);
  const handle = await runtime.adopt!(identityOf(nodeId, record), sink).catch((err: Error) => {
    logger.warn({ task: key, err }, 'could not look for the task of an earlier run');
    return undefined;
  });
  if (!handle) {
    slot.shipper.abandon();
    slots.delete(key);
    return false;
  }
  tasks.adopted(key, record, slot, handle);
  logger.info({ task: key, pid: handle.pid, storedLines: stored }, 'task of an earlier run re-adopted');
  return true;
}
