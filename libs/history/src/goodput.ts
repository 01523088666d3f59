import type { JobEvent, NodeEvent, StoredCommit } from '@trainyard/contracts';

/**
 * One recovery split into its phases, in ms between the events that bound them:
 * - detect: the fault happened → it was reported (a hang: the detector's window; a lost node: its last
 *   heartbeat → the lost exit; a process exit is reported as it happens: 0);
 * - decide: reported → `RecoveryDecided`;
 * - stop: decided → the tasks it stops have exited (a job reschedule: → `JobQueued` again);
 * - place: stopped → placed again (`JobScheduled`, or `JobRestarted` with placements; in place: 0);
 * - start: placed → the first task started again.
 * A phase not reached yet (the job ended first) is null.
 */
export interface RecoveryLedgerEntry {
  seq: number;
  rule: string;
  action: string;
  fault: string;
  faultAt: string;
  detectMs: number;
  decideMs: number;
  stopMs: number | null;
  placeMs: number | null;
  startMs: number | null;
  /** Fault → running again (null if it never ran again). */
  totalMs: number | null;
}

/**
 * Where a job's allocated time went, in instance-milliseconds (ms × instances of the gang):
 * `allocated` = from each placement to the end of that attempt; within it `startup` (placed, not
 * yet running), `useful` (the run that produced the result: the completed attempt, the one stopped by
 * its user, or the current one), `recovery` (tasks down between a fault and their restart in place),
 * `reruns` (runs given up: preempted, rescheduled) and `failed` (the run of a failed job). `waiting`
 * is queue time, which holds no capacity. `goodput` = useful / allocated.
 */
export interface JobGoodput {
  jobId: string;
  instances: number;
  waitingMs: number;
  allocatedMs: number;
  startupMs: number;
  usefulMs: number;
  recoveryMs: number;
  rerunsMs: number;
  failedMs: number;
  /** useful / allocated; null before anything was allocated. */
  goodput: number | null;
  recoveries: RecoveryLedgerEntry[];
  /** Up to when it was measured: the job's end, or `now`. */
  until: string;
}

export interface GoodputContext {
  /** Commits of the nodes the job ran on: their last heartbeats measure a lost node's detection. */
  nodeCommits?: readonly StoredCommit[];
}

/**
 * The goodput ledger of one job from its history. Pure; `now` closes what is still open (a job that
 * runs, waits or recovers at `now`).
 */
export function jobGoodput(jobId: string, commits: readonly StoredCommit[], now: string, ctx: GoodputContext = {}): JobGoodput {
  const events = commits.flatMap((c) => (c.events as JobEvent[]).map((e) => ({ e, seq: c.seq, t: Date.parse(e.time) })));
  const out: JobGoodput = { jobId, instances: 0, waitingMs: 0, allocatedMs: 0, startupMs: 0, usefulMs: 0, recoveryMs: 0, rerunsMs: 0, failedMs: 0, goodput: null, recoveries: [], until: now };
  let queuedAt: number | undefined;
  let scheduledAt: number | undefined;
  let startedAt: number | undefined;
  let runDown = 0; // ms of the current run lost to in-place recovery
  const down = new Map<string, number>(); // task → when it went down (in-place recovery pending)
  let end = Date.parse(now);
  const closeRun = (at: number, as: 'useful' | 'reruns' | 'failed') => {
    if (scheduledAt !== undefined) {
      out.allocatedMs += (at - scheduledAt) * out.instances;
      out.startupMs += ((startedAt ?? at) - scheduledAt) * out.instances;
    }
    if (startedAt !== undefined) {
      const pending = [...down.values()].reduce((s, d) => s + (at - d), 0);
      const lost = runDown + pending;
      out.recoveryMs += lost;
      out[`${as}Ms`] += Math.max(0, (at - startedAt) * out.instances - lost);
    }
    scheduledAt = startedAt = undefined;
    runDown = 0;
    down.clear();
  };
  for (const { e, t } of events) {
    switch (e.type) {
      case 'JobCreated':
        out.instances = e.data.tasks.length;
        break;
      case 'JobQueued':
        if (e.data.requeue) closeRun(t, 'reruns');
        queuedAt = t;
        break;
      case 'JobScheduled':
        if (queuedAt !== undefined) out.waitingMs += (t - queuedAt) * out.instances;
        queuedAt = undefined;
        scheduledAt = t;
        break;
      case 'JobStarted':
        startedAt ??= t;
        break;
      case 'TaskExited':
        if (startedAt !== undefined && !(e.data.reason === 'exited' && e.data.exitCode === 0) && e.data.reason !== 'stopped') down.set(e.data.task, t);
        break;
      case 'TaskStarted': {
        const since = down.get(e.data.task);
        if (since !== undefined) {
          runDown += t - since;
          down.delete(e.data.task);
        }
        break;
      }
      case 'JobSucceeded':
      case 'JobTerminated':
        closeRun(t, 'useful');
        end = t;
        break;
      case 'JobFailed':
      case 'JobAbnormal':
        closeRun(t, 'failed');
        if (queuedAt !== undefined) out.waitingMs += (t - queuedAt) * out.instances;
        queuedAt = undefined;
        end = t;
        break;
      default:
        break;
    }
  }
  if (queuedAt !== undefined) out.waitingMs += (end - queuedAt) * out.instances;
  closeRun(end, 'useful');
  out.until = new Date(end).toISOString();
  out.goodput = out.allocatedMs > 0 ? round(out.usefulMs / out.allocatedMs) : null;
  out.recoveries = recoveryLedger(events, ctx);
  return out;
}

type Timed = { e: JobEvent; seq: number; t: number };

function recoveryLedger(events: readonly Timed[], ctx: GoodputContext): RecoveryLedgerEntry[] {
  const heartbeats = lastHeartbeats(ctx.nodeCommits ?? []);
  const out: RecoveryLedgerEntry[] = [];
  events.forEach((ev, i) => {
    if (ev.e.type !== 'RecoveryDecided') return;
    const d = ev.e.data;
    // The fault's report: the last failed exit or hang of this attempt before the decision.
    let reported = ev.t;
    let detectMs = 0;
    for (let j = i - 1; j >= 0; j--) {
      const p = events[j].e;
      if (p.type === 'TaskExited' && p.data.attempt === d.attempt && !(p.data.reason === 'exited' && p.data.exitCode === 0) && p.data.reason !== 'stopped') {
        reported = events[j].t;
        const hb = p.data.reason === 'lost' ? heartbeats.get(p.data.nodeId)?.filter((h) => h <= reported).at(-1) : undefined;
        if (hb !== undefined) detectMs = reported - hb;
        break;
      }
      if (p.type === 'JobSuspectedHang' && p.data.attempt === d.attempt) {
        reported = events[j].t;
        detectMs = p.data.evidence.windowMs;
        break;
      }
      if (p.type === 'JobStarted' || p.type === 'JobScheduled') break;
    }
    const stopTasks = new Set(d.tasks);
    let stoppedAt: number | undefined;
    let placedAt: number | undefined;
    let runningAt: number | undefined;
    const inPlace = d.action === 'restart-in-place' || d.action === 'hang-restart';
    const after = events.slice(i + 1);
    if (d.action === 'reschedule-job') {
      stoppedAt = after.find((x) => x.e.type === 'JobQueued')?.t;
    } else {
      const pendingExit = new Set([...stopTasks].filter((task) => !exitedBefore(events, i, task, d.attempt)));
      stoppedAt = ev.t;
      for (const x of after) {
        if (pendingExit.size === 0) break;
        if (x.e.type === 'TaskExited' && pendingExit.delete(x.e.data.task)) stoppedAt = x.t;
      }
      if (pendingExit.size) stoppedAt = undefined;
    }
    if (stoppedAt !== undefined) {
      if (inPlace) placedAt = stoppedAt;
      else {
        const placed = after.find((x) => x.t >= stoppedAt! && (x.e.type === 'JobScheduled' || (x.e.type === 'JobRestarted' && x.e.data.placements)));
        placedAt = placed?.t;
      }
    }
    if (placedAt !== undefined) runningAt = after.find((x) => x.t >= placedAt! && x.e.type === 'TaskStarted')?.t;
    const faultAt = reported - detectMs;
    out.push({
      seq: ev.seq,
      rule: d.rule,
      action: d.action,
      fault: `${d.fault.kind}${d.fault.code ? ` ${d.fault.code}` : ''}`,
      faultAt: new Date(faultAt).toISOString(),
      detectMs,
      decideMs: ev.t - reported,
      stopMs: stoppedAt === undefined ? null : stoppedAt - ev.t,
      placeMs: placedAt === undefined || stoppedAt === undefined ? null : placedAt - stoppedAt,
      startMs: runningAt === undefined || placedAt === undefined ? null : runningAt - placedAt,
      totalMs: runningAt === undefined ? null : runningAt - faultAt,
    });
  });
  return out;
}

function exitedBefore(events: readonly Timed[], i: number, task: string, attempt: number): boolean {
  for (let j = i - 1; j >= 0; j--) {
    const p = events[j].e;
    if (p.type === 'TaskStarted' && p.data.task === task) return false;
    if (p.type === 'TaskExited' && p.data.task === task && p.data.attempt === attempt) return true;
  }
  return false;
}

/** Heartbeat times the node log records: `NodeSuspect.lastHeartbeat`, per node, in order. */
function lastHeartbeats(commits: readonly StoredCommit[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const c of commits) {
    const node = c.subject.slice('ty.ev.node.'.length);
    for (const e of c.events as NodeEvent[]) {
      if (e.type === 'NodeSuspect' && e.data.lastHeartbeat) out.set(node, [...(out.get(node) ?? []), Date.parse(e.data.lastHeartbeat)]);
    }
  }
  return out;
}

/** The cluster's ledger: the jobs' sums and the share of allocated time that was useful. */
export function clusterGoodput(jobs: readonly JobGoodput[]) {
  const sum = (k: keyof Pick<JobGoodput, 'waitingMs' | 'allocatedMs' | 'startupMs' | 'usefulMs' | 'recoveryMs' | 'rerunsMs' | 'failedMs'>) => jobs.reduce((s, j) => s + j[k], 0);
  const allocatedMs = sum('allocatedMs');
  const recoveries = jobs.flatMap((j) => j.recoveries);
  const totals = recoveries.filter((r) => r.totalMs !== null).map((r) => r.totalMs!);
  return {
    jobs: jobs.length,
    waitingMs: sum('waitingMs'),
    allocatedMs,
    startupMs: sum('startupMs'),
    usefulMs: sum('usefulMs'),
    recoveryMs: sum('recoveryMs'),
    rerunsMs: sum('rerunsMs'),
    failedMs: sum('failedMs'),
    goodput: allocatedMs > 0 ? round(sum('usefulMs') / allocatedMs) : null,
    recoveries: recoveries.length,
    recoveryMeanMs: totals.length ? Math.round(totals.reduce((a, b) => a + b, 0) / totals.length) : null,
  };
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;
