import { readdir, readFile } from 'node:fs/promises';
import type { NodeEventData } from '@trainyard/contracts';
import type { DesiredTask, LocalTask } from './task-reconciler';
import type { TaskHandle } from './task-runtime';

/**
 * In-place restarts (fault manager, issue 5): `TaskRestartRequested` on the node's subject asks the
 * agent to stop what is left of a task attempt's processes and run its start command again on this
 * node, in the same task home, with `MA_PROC_START_CNT` = `procStartCount` (ch12 §4.3, L8131-8141).
 * Before a hung task is killed it is asked for a stack dump (`dumpSignal`), and what it prints stays
 * in the task's log. The new process's lines continue the attempt's line numbers.
 */
export type RestartRequest = NodeEventData['TaskRestartRequested'];

/**
 * What to do with a restart request: `restart` the attempt; `pending` (assigned, not launched yet:
 * launch it with the new count); or nothing — `unknown` (not assigned here, e.g. the agent restarted
 * since and reported it lost), `stopping` (a stop was ordered), `done` (this or a later start count
 * already ran: a redelivery).
 */
export type RestartVerdict = 'restart' | 'pending' | 'unknown' | 'stopping' | 'done';

export function restartVerdict(desired: DesiredTask | undefined, local: LocalTask | undefined, r: RestartRequest): RestartVerdict {
  if (!desired || desired.assignment.attempt !== r.attempt) return 'unknown';
  if (desired.stop) return 'stopping';
  if (r.procStartCount <= desired.assignment.procStartCount) return 'done';
  return local ? 'restart' : 'pending';
}

/** Pids of the process group led by `leader`, the leader last (Linux /proc; empty elsewhere). */
export async function processGroup(leader: number): Promise<number[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  const members: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (in parentheses, may hold spaces): state, ppid, pgrp, …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === leader && fields[0] !== 'Z' && Number(name) !== leader) members.push(Number(name));
  }
  return [...members, leader];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Asks a task for a stack dump: `signal` to the processes of its group other than the leader — the
 * leader is the runtime's own shell (a supervisor) where there is one, and must not die of it — or
 * to the leader when it is the only process (the script itself). Resolves after `waitMs`, or when
 * the task exits, whichever comes first.
 */
export async function requestStackDump(handle: TaskHandle, signal: NonNullable<RestartRequest['dumpSignal']>, waitMs: number): Promise<void> {
  const group = await processGroup(handle.pid);
  const targets = group.length > 1 ? group.slice(0, -1) : group;
  for (const pid of targets) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
  await Promise.race([handle.exited, sleep(waitMs)]);
}

/**
 * Stops the processes of an attempt that is to run again: the stack dump first when asked for, then
 * SIGTERM to the group and SIGKILL after `graceMs`. `note` writes a line into the task's log.
 */
export async function stopForRestart(handle: TaskHandle, r: RestartRequest, note: (line: string) => void): Promise<void> {
  if (r.dumpSignal) {
    note(`[trainyard] ${r.reason}: asking the task for a stack dump (${r.dumpSignal})`);
    await requestStackDump(handle, r.dumpSignal, r.dumpWaitMs ?? 2000);
  }
  note(`[trainyard] restarting in place (MA_PROC_START_CNT=${r.procStartCount}): ${r.reason}`);
  await handle.stop(r.graceMs);
}
