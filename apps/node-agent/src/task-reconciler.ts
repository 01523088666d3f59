import type { CommitMeta, NodeEvent, TaskAssignment, TaskExitReason } from '@trainyard/contracts';

/**
 * The agent's decisions, pure: what the node's subject asks for (desired) against what this agent
 * has done (local) gives the actions to take. The shell applies an event or an observation, calls
 * `reconcile`, performs the actions and records their outcome in `local`; calling `reconcile` again
 * then yields nothing, which is what makes a redelivered commit harmless.
 */

/** One task attempt. */
export interface TaskRef {
  jobId: string;
  task: string;
  attempt: number;
}

/** `<jobId>/<task>/<attempt>` */
export const taskKey = (t: TaskRef): string => `${t.jobId}/${t.task}/${t.attempt}`;

export interface StopOrder {
  graceMs: number;
  reason: string;
  /** A preemption notice goes to the task first (preemption-notice.ts). */
  preemption?: { by: string; deadline: string };
}

/** What the control plane wants of one attempt on this node. */
export interface DesiredTask {
  assignment: TaskAssignment;
  /** Meta of the commit that assigned it: the agent's reports carry its correlation. */
  cause?: CommitMeta;
  /** Set once the attempt must stop (a `TaskStopRequested`, or the job refused its start). */
  stop?: StopOrder;
}

/**
 * What this agent did with one attempt. `running` and `stopping` have a live process; `exited` is
 * final: the process ended, never started, or belonged to an earlier run of the agent.
 */
export interface LocalTask {
  phase: 'running' | 'stopping' | 'exited';
  /** The job has recorded (or refused) the start. */
  startReported: boolean;
}

export type Desired = ReadonlyMap<string, DesiredTask>;
export type Local = ReadonlyMap<string, LocalTask>;

export type AgentAction =
  | { kind: 'launch'; key: string; assignment: TaskAssignment }
  | { kind: 'report-started'; key: string }
  | { kind: 'stop'; key: string; graceMs: number; reason: string; preemption?: StopOrder['preemption'] }
  /** Stopped before it was launched: never start it; report it stopped. */
  | { kind: 'skip'; key: string; assignment: TaskAssignment; reason: string };

/**
 * Folds one node event into the desired set. An assignment is recorded once (a redelivery changes
 * nothing); a stop for an attempt this agent never saw assigned is ignored, as there is nothing to stop.
 */
export function applyNodeEvent(desired: Desired, event: NodeEvent, cause?: CommitMeta): Map<string, DesiredTask> {
  const next = new Map(desired);
  switch (event.type) {
    case 'TaskAssigned': {
      const key = taskKey(event.data);
      if (!next.has(key)) next.set(key, { assignment: event.data, ...(cause ? { cause } : {}) });
      return next;
    }
    case 'TaskStopRequested': {
      const key = taskKey(event.data);
      const d = next.get(key);
      const { graceMs, reason, preemption } = event.data;
      if (d && !d.stop) next.set(key, { ...d, stop: { graceMs, reason, ...(preemption ? { preemption } : {}) } });
      return next;
    }
    // What a release calls for depends on what this agent has done: `releaseVerdict`.
    case 'TaskReleased':
    case 'NodeRegistered':
    // Node lifecycle (fault manager): the agent keeps running what it runs; restarts are handled apart.
    case 'TaskRestartRequested':
    case 'NodeSuspect':
    case 'NodeIsolated':
    case 'NodeDraining':
    case 'NodeReturned':
      return next;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/**
 * The control plane is done with an attempt (`TaskReleased`). One that is over is forgotten now; one
 * still running is stopped first (a node back from a partition may run what the job gave up on); one
 * stopping is forgotten when its exit is reported.
 */
export function releaseVerdict(local: LocalTask | undefined): 'forget' | 'stop' | 'forget-after-exit' {
  if (!local || local.phase === 'exited') return 'forget';
  return local.phase === 'running' ? 'stop' : 'forget-after-exit';
}

/** Requests a stop of an attempt from inside the agent (e.g. the job refused its start). */
export function orderStop(desired: Desired, key: string, stop: StopOrder): Map<string, DesiredTask> {
  const next = new Map(desired);
  const d = next.get(key);
  if (d && !d.stop) next.set(key, { ...d, stop });
  return next;
}

/** Actions for `keys` (default every desired attempt), in the order they must be performed. */
export function reconcile(desired: Desired, local: Local, keys: Iterable<string> = desired.keys()): AgentAction[] {
  const actions: AgentAction[] = [];
  for (const key of keys) {
    const d = desired.get(key);
    if (!d) continue;
    const l = local.get(key);
    if (!l) {
      actions.push(d.stop ? { kind: 'skip', key, assignment: d.assignment, reason: d.stop.reason } : { kind: 'launch', key, assignment: d.assignment });
      continue;
    }
    if (l.phase === 'exited') continue;
    // The start is reported before any stop, so the job's history reads started → exited.
    if (!l.startReported) actions.push({ kind: 'report-started', key });
    if (d.stop && l.phase === 'running') actions.push({ kind: 'stop', key, graceMs: d.stop.graceMs, reason: d.stop.reason, ...(d.stop.preemption ? { preemption: d.stop.preemption } : {}) });
  }
  return actions;
}

/**
 * A task acknowledged a checkpoint: report it, and — when its stop is a preemption notice it got
 * before that acknowledgement — end it now rather than at the deadline.
 */
export function onCheckpoint(desired: DesiredTask | undefined, local: LocalTask | undefined): { report: boolean; stopNow: boolean } {
  if (!desired || !local || local.phase === 'exited' || !local.startReported) return { report: false, stopNow: false };
  return { report: true, stopNow: local.phase === 'stopping' && desired.stop?.preemption !== undefined };
}

/**
 * Why an attempt's process ended, as reported in `TaskExited`: `stopped` when a stop was ordered,
 * `lost` when the agent itself is going away (the job may be recovered elsewhere), else `exited`.
 */
export function exitReason(desired: DesiredTask | undefined, agentStopping: boolean): TaskExitReason {
  if (desired?.stop) return 'stopped';
  return agentStopping ? 'lost' : 'exited';
}
