import type { Capacity, JobEvent, NodeEvent, StoredCommit, TrainingJobSpec } from '@trainyard/contracts';

/** A node as recorded: where and when it joined, and when it left or returned to service. */
export interface RecordedNode {
  id: string;
  host: string;
  pool: string;
  capacity: Capacity;
  labels: Record<string, string>;
  registeredAt: number;
  /** Out of service (`false`) or back (`true`), in time order. */
  availability: { at: number; seq: number; schedulable: boolean }[];
}

/** One run of a job that ended otherwise than by the planner: a fault that sent it back to the queue. */
export interface RecordedFaultRun {
  /** ms it ran before the fault was decided. */
  ranMs: number;
  /** Per task: ms from the run's start to its exit (its capacity is free from then). */
  taskExitMs: Record<string, number>;
  /** ms from the fault's decision to the job being queued again. */
  stopMs: number;
  rule: string;
}

/** What the simulator replays of one job: its submission, its runs' lengths, its stop and its recorded placements. */
export interface RecordedJob {
  id: string;
  spec: TrainingJobSpec;
  priority: number;
  /** First JobQueued. */
  queuedAt: number;
  queuedSeq: number;
  /** Placement → first start of an attempt (the agents' launch time), the median of the job's attempts. */
  startLatencyMs: number;
  /** The same, per attempt in order (a replay of attempt n takes the n-th). */
  startLatencies: number[];
  /** Per task: how long it ran in the run that ended by itself (succeeded or failed); absent if none did. */
  taskRunMs?: Record<string, number>;
  /** Per task: the sequence of that run's exit commit (orders exits of the same millisecond). */
  taskEndSeq?: Record<string, number>;
  /**
   * In that run, when a task was down for an in-place restart (ms from the run's start): from its
   * failed exit to the restart. It keeps its node throughout; the sim counts the gap as a recovery.
   */
  restartGaps?: { task: string; fromMs: number; toMs: number }[];
  /** Runs given up after a fault (job reschedule), in order. */
  faultRuns: RecordedFaultRun[];
  /** A user's stop, if any. */
  stoppedAt?: number;
  stoppedSeq?: number;
  /** Priority changes (waiting only). */
  priorityChanges: { at: number; seq: number; to: number }[];
  /** Every placement as committed, by attempt: task → node. */
  placements: { attempt: number; at: number; nodes: Record<string, string> }[];
  /** ms from each JobPreempted to the job queued again. */
  preemptStopMs: number[];
  /** Per preemption, per task: ms from the JobPreempted to the task's exit. */
  preemptTaskStopMs: Record<string, number>[];
  /** When it was preempted (the preempting pass's moment). */
  preemptedAt: number[];
  /**
   * Per attempt (index attempt − 1): ms from the run's start to each acknowledged checkpoint
   * (`TaskCheckpointed`); the planner picks victims by least work lost since one. Absent = none.
   */
  checkpointMs?: Record<number, number[]>;
  /** Total recorded queue wait (ms) and whether it ended, for the report. */
  outcome: string | null;
}

/** A scheduler pass of the recording: its `now` and the sequence of its first commit. */
export interface RecordedPass {
  at: number;
  seq: number;
}

export interface Recording {
  nodes: RecordedNode[];
  jobs: RecordedJob[];
  passes: RecordedPass[];
  /** Recoveries in the recording (RecoveryDecided). */
  recoveries: number;
  preemptions: number;
  start: number;
  end: number;
}

/**
 * Reads what a simulation replays out of a recorded log (an export's commits, in order): the nodes,
 * each job's submission, priority changes, stop, run lengths and faults, and the scheduler's passes
 * (the moments it decided, by its commits' times). Pure.
 */
export function readRecording(commits: readonly StoredCommit[]): Recording {
  const nodes = new Map<string, RecordedNode>();
  const jobs = new Map<string, RecordedJob & { attemptStart?: number; scheduledAt?: number; latencies: number[]; runStart?: number; taskEnds: Record<string, number>; endSeqs: Record<string, number>; gaps: { task: string; from: number; to: number }[]; down: Record<string, number>; pendingFault?: { ranMs: number; decidedAt: number; rule: string }; pendingPreemption?: number; preemptExits: Record<string, number> }>();
  const passes: RecordedPass[] = [];
  let recoveries = 0;
  let preemptions = 0;
  let lastPassAt = Number.NaN;
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  const parseTime = timeParser();
  for (const c of commits) {
    const t0 = parseTime(c.events[0]?.time ?? '');
    if (Number.isFinite(t0)) start = Math.min(start, t0);
    const tn = parseTime(c.events.at(-1)?.time ?? '');
    if (Number.isFinite(tn)) end = Math.max(end, tn);
    const parts = c.subject.split('.');
    const kind = parts[2];
    const id = parts.length === 4 ? parts[3] : parts.slice(3).join('.');
    if (kind === 'node') {
      for (const e of c.events as NodeEvent[]) {
        const at = parseTime(e.time);
        if (e.type === 'NodeRegistered') {
          const prev = nodes.get(id);
          nodes.set(id, { id, host: e.data.host, pool: e.data.pool, capacity: e.data.capacity, labels: e.data.labels, registeredAt: prev?.registeredAt ?? at, availability: prev?.availability ?? [] });
        } else if (e.type === 'NodeIsolated' || e.type === 'NodeDraining' || e.type === 'NodeSuspect') {
          nodes.get(id)?.availability.push({ at, seq: c.seq, schedulable: false });
        } else if (e.type === 'NodeReturned') {
          nodes.get(id)?.availability.push({ at, seq: c.seq, schedulable: true });
        }
      }
      continue;
    }
    if (kind !== 'job') continue;
    // A scheduler pass: its commits share the pass's `now`.
    if (c.meta.actor === 'scheduler' && (c.events as JobEvent[]).some((e) => e.type === 'JobScheduled' || e.type === 'JobPreempted')) {
      const at = parseTime(c.events[0].time);
      if (at !== lastPassAt) passes.push({ at, seq: c.seq });
      lastPassAt = at;
    }
    for (const e of c.events as JobEvent[]) {
      const at = parseTime(e.time);
      const j = jobs.get(id);
      switch (e.type) {
        case 'JobCreated':
          jobs.set(id, {
            id, spec: e.data.spec, priority: e.data.spec.spec.priority ?? 1, queuedAt: at, queuedSeq: c.seq, startLatencyMs: 0, startLatencies: [], faultRuns: [], priorityChanges: [],
            placements: [], preemptStopMs: [], preemptTaskStopMs: [], preemptedAt: [], outcome: null, latencies: [], taskEnds: {}, endSeqs: {}, gaps: [], down: {}, preemptExits: {},
          });
          break;
        case 'JobQueued':
          if (!j) break;
          if (!e.data.requeue) {
            j.queuedAt = at;
            j.queuedSeq = c.seq;
            j.priority = e.data.priority;
          } else if (j.pendingFault) {
            const runStart = j.runStart ?? j.pendingFault.decidedAt - j.pendingFault.ranMs;
            const taskExitMs = Object.fromEntries(Object.entries(j.taskEnds).map(([task, endAt]) => [task, Math.max(0, endAt - runStart)]));
            j.faultRuns.push({ ranMs: j.pendingFault.ranMs, taskExitMs, stopMs: at - j.pendingFault.decidedAt, rule: j.pendingFault.rule });
            j.pendingFault = undefined;
          } else if (j.pendingPreemption !== undefined) {
            j.preemptStopMs.push(at - j.pendingPreemption);
            j.preemptTaskStopMs.push(j.preemptExits);
            j.pendingPreemption = undefined;
            j.preemptExits = {};
          }
          j.runStart = undefined;
          break;
        case 'JobScheduled':
          if (!j) break;
          j.placements.push({ attempt: e.data.attempt, at, nodes: Object.fromEntries(e.data.placements.map((p) => [p.task, p.nodeId])) });
          j.scheduledAt = at;
          j.taskEnds = {};
          j.gaps = [];
          j.down = {};
          break;
        case 'JobStarted':
          if (!j) break;
          if (j.scheduledAt !== undefined) j.latencies.push(at - j.scheduledAt);
          j.runStart = at;
          break;
        case 'TaskExited':
          if (!j) break;
          j.taskEnds[e.data.task] = at;
          j.endSeqs[e.data.task] = c.seq;
          if (j.pendingPreemption !== undefined) j.preemptExits[e.data.task] = at - j.pendingPreemption;
          if (!(e.data.reason === 'exited' && e.data.exitCode === 0) && e.data.reason !== 'stopped') j.down[e.data.task] = at;
          break;
        case 'JobRestarted':
          if (!j || (e.data.mode !== 'in-place' && e.data.mode !== 'hang')) break;
          for (const task of e.data.tasks) {
            if (j.down[task] !== undefined) j.gaps.push({ task, from: j.down[task], to: at });
            delete j.down[task];
          }
          break;
        case 'RecoveryDecided':
          recoveries++;
          if (j && e.data.action === 'reschedule-job' && j.runStart !== undefined) j.pendingFault = { ranMs: at - j.runStart, decidedAt: at, rule: e.data.rule };
          break;
        case 'JobPreempted':
          preemptions++;
          if (j) {
            j.pendingPreemption = at;
            j.preemptedAt.push(at);
          }
          break;
        case 'JobPriorityChanged':
          j?.priorityChanges.push({ at, seq: c.seq, to: e.data.to });
          break;
        case 'TaskCheckpointed':
          if (j && j.runStart !== undefined) ((j.checkpointMs ??= {})[e.data.attempt - 1] ??= []).push(at - j.runStart);
          break;
        case 'JobStopRequested':
          if (j && e.data.reason === 'user') Object.assign(j, { stoppedAt: at, stoppedSeq: c.seq });
          break;
        case 'JobSucceeded':
        case 'JobFailed':
        case 'JobAbnormal':
        case 'JobTerminated':
          if (!j) break;
          j.outcome = e.type;
          // The run that ended by itself: each task from the run's start to its exit.
          if (j.runStart !== undefined && e.type !== 'JobTerminated') {
            const runStart = j.runStart;
            j.taskEndSeq = { ...j.endSeqs };
            j.taskRunMs = Object.fromEntries(Object.entries(j.taskEnds).map(([task, endAt]) => [task, Math.max(0, endAt - runStart)]));
            if (j.gaps.length) j.restartGaps = j.gaps.map((g) => ({ task: g.task, fromMs: g.from - runStart, toMs: g.to - runStart }));
          }
          break;
        default:
          break;
      }
    }
  }
  const out: RecordedJob[] = [];
  for (const { latencies, runStart: _r, taskEnds: _e, endSeqs: _q, gaps: _g, down: _d, preemptExits: _x, pendingFault: _f, pendingPreemption: _p, attemptStart: _a, scheduledAt: _s, ...j } of jobs.values()) {
    out.push({ ...j, startLatencyMs: median(latencies), startLatencies: latencies });
  }
  return { nodes: [...nodes.values()], jobs: out, passes, recoveries, preemptions, start: Number.isFinite(start) ? start : 0, end };
}

export function median(xs: readonly number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** `Date.parse` remembering its last string: a commit's events, and a moment's commits, mostly share their time. */
function timeParser(): (iso: string) => number {
  let last = '';
  let ms = Number.NaN;
  return (iso) => {
    if (iso !== last) {
      last = iso;
      ms = Date.parse(iso);
    }
    return ms;
  };
}
