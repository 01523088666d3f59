import { readdir, readFile, readlink } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { type ResourceSample, Subjects, type TaskResourceSample } from '@trainyard/contracts';
import { acceleratorMetrics, type AcceleratorUsage } from './accelerator-usage';

/** A task attempt with a process group on this node, and what it asked for. */
export interface SampledTask {
  jobId: string;
  task: string;
  attempt: number;
  /** Leader of the task's process group (the runtime's `/bin/sh`). */
  pid: number;
  /** Requested cores and memory: the denominators of the `_util` metrics. */
  cpu?: number;
  memoryMiB?: number;
  /** Requested cards: which task the node's cards belong to when the tool lists no pid of it. */
  gpu?: number;
  npu?: number;
  /**
   * The runtime's own counters (a container's, from the engine's stats API) instead of the process
   * group's in `/proc`: a container's processes are not in the group of the pid the agent knows.
   */
  counters?: () => Promise<GroupCounters>;
}

/** Raw counters of one process group at one instant. */
export interface GroupCounters {
  /** utime + stime of every process in the group, in clock ticks. */
  cpuTicks: number;
  rssBytes: number;
  readBytes: number;
  writeBytes: number;
  processes: number;
  /** Pids of the group (to match the accelerator tools' process lists); absent for runtime counters. */
  pids?: number[];
  /**
   * Bytes received and sent by the task's own network namespace (all interfaces but loopback). Absent
   * for a task on the node's namespace: there the counters are the whole node's, not the task's.
   */
  rxBytes?: number;
  txBytes?: number;
}

/** Linux `USER_HZ`: 100 on every mainstream architecture (`getconf CLK_TCK`). */
const CLK_TCK = 100;
const PAGE = 4096;

/**
 * Sums `/proc/<pid>/stat` (cpu ticks, rss) and `/proc/<pid>/io` (read/write bytes, when readable) over
 * every process whose process group is `pgid`. Processes that vanish mid-scan are skipped.
 */
export async function readGroupCounters(pgid: number, proc = '/proc'): Promise<GroupCounters> {
  const c: GroupCounters = { cpuTicks: 0, rssBytes: 0, readBytes: 0, writeBytes: 0, processes: 0, pids: [] };
  for (const name of await readdir(proc)) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = await readFile(`${proc}/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command name (which may hold spaces): state is field 3.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) !== pgid) continue;
    c.processes++;
    c.pids!.push(Number(name));
    c.cpuTicks += Number(f[11]) + Number(f[12]);
    c.rssBytes += Number(f[21]) * PAGE;
    try {
      const io = await readFile(`${proc}/${name}/io`, 'utf8');
      c.readBytes += Number(/read_bytes: (\d+)/.exec(io)?.[1] ?? 0);
      c.writeBytes += Number(/^write_bytes: (\d+)/m.exec(io)?.[1] ?? 0);
    } catch {
      // Not readable (another user's process): disk rates stay absent for it.
    }
  }
  return { ...c, ...(await ownNetwork(pgid, proc)) };
}

/** The task's network counters, when it lives in a network namespace of its own (`GroupCounters.rxBytes`). */
async function ownNetwork(pid: number, proc: string): Promise<Pick<GroupCounters, 'rxBytes' | 'txBytes'>> {
  try {
    const [mine, its] = await Promise.all([readlink(`${proc}/self/ns/net`), readlink(`${proc}/${pid}/ns/net`)]);
    if (mine === its) return {};
    return parseNetDev(await readFile(`${proc}/${pid}/net/dev`, 'utf8'));
  } catch {
    return {};
  }
}

/**
 * Sums `/proc/<pid>/net/dev` over every interface but loopback (pure): after `iface:` come 8 receive
 * columns (bytes first), then 8 transmit columns (bytes first).
 */
export function parseNetDev(text: string): Pick<GroupCounters, 'rxBytes' | 'txBytes'> {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    if (f.length < 9 || !Number.isFinite(f[0]) || !Number.isFinite(f[8])) continue;
    rxBytes += f[0]!;
    txBytes += f[8]!;
  }
  return { rxBytes, txBytes };
}

/**
 * The guide's container metrics of one task from two readings `dtMs` apart (pure). CPU and memory use
 * is relative to what the task requested, capped at 100 %.
 */
export function taskMetrics(prev: GroupCounters, cur: GroupCounters, dtMs: number, t: Pick<SampledTask, 'cpu' | 'memoryMiB'>): TaskResourceSample['values'] {
  const dt = Math.max(dtMs, 1) / 1000;
  const cores = Math.max(0, cur.cpuTicks - prev.cpuTicks) / CLK_TCK / dt;
  const usedMeg = cur.rssBytes / 2 ** 20;
  const values: TaskResourceSample['values'] = {
    ma_container_cpu_used_core: round(cores),
    ma_container_memory_used_meg: round(usedMeg),
    ma_container_disk_read_kilobytes: round(Math.max(0, cur.readBytes - prev.readBytes) / 1024 / dt),
    ma_container_disk_write_kilobytes: round(Math.max(0, cur.writeBytes - prev.writeBytes) / 1024 / dt),
  };
  // The guide's network IO rates (L10859-10901), where the task has counters of its own.
  if (prev.rxBytes !== undefined && cur.rxBytes !== undefined) values.ma_container_network_receive_bytes = round(Math.max(0, cur.rxBytes - prev.rxBytes) / dt);
  if (prev.txBytes !== undefined && cur.txBytes !== undefined) values.ma_container_network_transmit_bytes = round(Math.max(0, cur.txBytes - prev.txBytes) / dt);
  if (t.cpu) values.ma_container_cpu_util = round(Math.min(100, (cores / t.cpu) * 100));
  if (t.memoryMiB) values.ma_container_memory_util = round(Math.min(100, (usedMeg / t.memoryMiB) * 100));
  return values;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export interface SamplerOptions {
  /** The node's cards now (accelerator-usage.ts); absent on a node without accelerator tools. */
  accelerators?: () => Promise<AcceleratorUsage>;
}

/**
 * Publishes this node's resource sample on `ty.metrics.<nodeId>` every `intervalMs` (plain NATS,
 * decision 6): CPU, memory and disk of each running task (its process group in `/proc`, or the
 * runtime's counters for containers), plus GPU / NPU utilisation and memory of the cards it uses when
 * `accelerators` reads them; network receive and transmit rates of a task with a network namespace of its
 * own (a container; a process task on the node's namespace has no counters of its own, so none).
 */
export function startResourceSampler(
  nc: NatsConnection,
  nodeId: string,
  intervalMs: number,
  tasks: () => SampledTask[],
  now: () => Date = () => new Date(),
  options: SamplerOptions = {},
): { stop(): void } {
  const last = new Map<string, { at: number; c: GroupCounters }>();
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const out: TaskResourceSample[] = [];
      const seen = new Set<string>();
      const current = tasks();
      const pids = new Map<string, number[]>();
      for (const t of current) {
        const key = `${t.jobId}/${t.task}/${t.attempt}`;
        seen.add(key);
        const at = Date.now();
        // A runtime whose counters fail this tick (the engine busy) is skipped, not the whole sample.
        const c = await (t.counters ? t.counters() : readGroupCounters(t.pid)).catch(() => undefined);
        if (!c) continue;
        pids.set(key, c.pids ?? [t.pid]);
        const prev = last.get(key);
        last.set(key, { at, c });
        if (prev && c.processes > 0) out.push({ jobId: t.jobId, task: t.task, attempt: t.attempt, values: taskMetrics(prev.c, c, at - prev.at, t) });
      }
      for (const key of last.keys()) if (!seen.has(key)) last.delete(key);
      if (out.length === 0) return;
      if (options.accelerators) {
        const usage = await options.accelerators().catch(() => undefined);
        const perTask = usage
          ? acceleratorMetrics(usage, current.map((t) => {
              const key = `${t.jobId}/${t.task}/${t.attempt}`;
              return { key, pids: pids.get(key) ?? [t.pid], gpu: t.gpu, npu: t.npu };
            }))
          : new Map();
        for (const o of out) Object.assign(o.values, perTask.get(`${o.jobId}/${o.task}/${o.attempt}`));
      }
      const sample: ResourceSample = { nodeId, time: now().toISOString(), intervalMs, tasks: out };
      nc.publish(Subjects.metrics(nodeId), JSON.stringify(sample));
    } catch {
      // /proc unreadable or the connection closing: the next tick tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void sample(), intervalMs);
  timer.unref();
  void sample();
  return { stop: () => clearInterval(timer) };
}
