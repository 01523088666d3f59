import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommitMeta, TaskAssignment } from '@trainyard/contracts';
import type { TaskRef } from './task-reconciler';
import type { OutputStream } from './task-runtime';

/**
 * The agent's memory of one attempt it launched, kept outside the task's home so the task cannot
 * touch it. Written before the process starts: after a crash, an attempt with a record but no
 * `exitReported` was (maybe) started by an earlier run of the agent and must not be started again;
 * the next run re-adopts it through its runtime (`re-adoption.ts`) and reports its real exit.
 */
export interface LaunchRecord extends TaskRef {
  launchedAt: string;
  /** The runtime that ran it, which re-adopts it. Records of older agents lack it (and cannot be adopted). */
  runtime?: TaskAssignment['runtime'];
  /** The assignment, so a restarted agent can follow, stop and report the task without its commit. */
  assignment?: TaskAssignment;
  /** Meta of the commit that assigned it: the reports of a restarted agent keep its correlation. */
  cause?: CommitMeta;
  /** The job has the start (or refused it): a restarted agent does not report it again. */
  startReported?: boolean;
  /** A stop was ordered: a restarted agent signals it again and reports the exit as stopped. */
  stop?: { graceMs: number; reason: string };
  /**
   * Lines the agent itself wrote into the task's log before the task's output (the pre-check's). A
   * re-adopting agent ships them again first, so every line keeps its number and is stored once.
   */
  prelude?: { stream: OutputStream; text: string }[];
  /** Line number of the current process's first line when it is not the attempt's first (a restart in place). */
  firstSeq?: number;
  pid?: number;
  /** Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22), so a reused pid is not mistaken for ours. */
  pidStart?: string;
  exitReported?: boolean;
  /**
   * Times the platform launched this attempt again because an agent died before its command ran
   * (issue 9, re-adoption.ts): at most `PLATFORM_RELAUNCHES`.
   */
  relaunches?: number;
}

/**
 * How often an attempt lost to the agent's own death before its command ran is launched again by the
 * agent: once. A launch that keeps killing its agent is then reported lost (the job's policy decides)
 * instead of looping.
 */
export const PLATFORM_RELAUNCHES = 1;

let tmpCount = 0;

/** One JSON file per attempt under `<workDir>/launches/`. */
export class LaunchRecords {
  private readonly dir: string;
  /** Per record, the last write in flight: writes of one record run one after the other. */
  private readonly pending = new Map<string, Promise<unknown>>();

  constructor(workDir: string) {
    this.dir = join(workDir, 'launches');
  }

  write(record: LaunchRecord): Promise<void> {
    return this.serial(record, () => this.store(record));
  }

  /** Read-modify-write, one at a time per record, so two changes made at once both stay. */
  update(ref: TaskRef, change: Partial<LaunchRecord>): Promise<void> {
    return this.serial(ref, async () => {
      const current = await this.read(ref);
      if (current) await this.store({ ...current, ...change });
    });
  }

  private async store(record: LaunchRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(record);
    // Write-then-rename: a crash leaves the old record or the new one, never half of one. The temp
    // name is this write's own (two agents of one node in one process never share it).
    const tmp = `${file}.${process.pid}.${++tmpCount}.tmp`;
    // The agent's alone: a record holds the job's environment (work-dir-access.ts).
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, file);
  }

  private serial(ref: TaskRef, op: () => Promise<void>): Promise<void> {
    const key = this.file(ref);
    const next = (this.pending.get(key) ?? Promise.resolve()).then(op, op);
    this.pending.set(key, next);
    void next.finally(() => {
      if (this.pending.get(key) === next) this.pending.delete(key);
    }).catch(() => undefined);
    return next;
  }

  async read(ref: TaskRef): Promise<LaunchRecord | undefined> {
    try {
      return JSON.parse(await readFile(this.file(ref), 'utf8')) as LaunchRecord;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<LaunchRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records: LaunchRecord[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      const r = await readFile(join(this.dir, name), 'utf8').then((t) => JSON.parse(t) as LaunchRecord, () => undefined);
      if (r) records.push(r);
    }
    return records;
  }

  // Ids are subject tokens ([A-Za-z0-9_-]), so '.' separates them unambiguously.
  private file(ref: TaskRef): string {
    return join(this.dir, `${ref.jobId}.${ref.task}.${ref.attempt}.json`);
  }
}

/** Start time of a process (Linux), or undefined when it does not exist or /proc is not there. */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Kills the process group an earlier run of the agent launched, if its leader is still the very
 * process it started (same pid and start time). Returns whether it signalled anything.
 */
export async function killLeftover(record: LaunchRecord): Promise<boolean> {
  if (!record.pid || !record.pidStart) return false;
  if ((await processStartTicks(record.pid)) !== record.pidStart) return false;
  try {
    process.kill(-record.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}
