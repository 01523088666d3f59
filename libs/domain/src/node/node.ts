import type { Capacity, DeviceInventory, NodeEvent, NodeIsolationReason, TaskAssignment } from '@trainyard/contracts';

/**
 * The node aggregate (`ty.ev.node.<nodeId>`): what a machine offers and the work committed to it.
 * Commands and `decide` are in `node.decide.ts`.
 */

/**
 * The latest attempt of one task committed to this node. Task exits are recorded on the job, not here:
 * an assignment is the intent "run this attempt", which the agent reconciles with what it runs.
 *
 * @example
 * ```ts
 * { jobId: 'j1', task: 'worker-0', attempt: 1, status: 'assigned', assignedAt: '2026-03-13T10:00:00Z', assignment }
 * ```
 */
export interface NodeAssignment {
  jobId: string;
  task: string;
  attempt: number;
  status: 'assigned' | 'stop-requested';
  assignedAt: string;
  assignment: TaskAssignment;
  stop?: { graceMs: number; reason: string; requestedAt: string };
  /** `MA_PROC_START_CNT` of the latest in-place restart requested (`TaskRestartRequested`). */
  restartedTo?: number;
}

/**
 * Whether the scheduler may place work on a node (issue 5). Absent on a node that never left service.
 * `suspect`: heartbeats stopped for the lease time; `isolated`: out of service for `isolation.reason`;
 * `draining`: out of service, its tasks are being moved away.
 */
export type NodeAvailability = 'in-service' | 'suspect' | 'isolated' | 'draining';

/** Why and since when a node is out of service. */
export interface NodeIsolation {
  reason: NodeIsolationReason;
  by: string;
  since: string;
  detail?: string;
  /** Set while draining: the stop grace of its tasks. */
  drainGraceMs?: number;
}

export interface UnregisteredNode {
  status: 'unregistered';
}

/**
 * A registered node.
 *
 * @example
 * ```ts
 * { status: 'registered', nodeId: 'gpu-01', host: '10.0.0.7', pool: 'default',
 *   capacity: { cpu: 32, memoryMiB: 262144, gpu: 8, npu: 0 }, labels: {}, registeredAt: '…', assignments: {} }
 * ```
 */
export interface RegisteredNode {
  status: 'registered';
  nodeId: string;
  host: string;
  pool: string;
  capacity: Capacity;
  labels: Record<string, string>;
  /** Card ids the agent inventoried (issue 14); absent when it declared none. */
  devices?: DeviceInventory;
  /** Time of the latest NodeRegistered. */
  registeredAt: string;
  /**
   * Keyed by `assignmentKey(jobId, task)`; only the latest attempt is kept, and only until it is released
   * (`TaskReleased`), so this holds the node's live work, not every task it ever ran.
   */
  assignments: Record<string, NodeAssignment>;
  /** Absent = in service (fault manager, issue 5). */
  availability?: NodeAvailability;
  /** Set while isolated or draining. */
  isolation?: NodeIsolation;
  /** Set while suspect: the last heartbeat heard. */
  suspect?: { since: string; lastHeartbeat: string | null };
}

export type NodeState = UnregisteredNode | RegisteredNode;

export const initialNode = (): NodeState => ({ status: 'unregistered' });

/** Key of a task in `assignments`. `/` cannot occur in job ids or task names (subject tokens). */
export const assignmentKey = (jobId: string, task: string): string => `${jobId}/${task}`;

/** Assignments the agent should be running (not asked to stop). */
export function assignedTasks(state: NodeState): NodeAssignment[] {
  return state.status === 'registered' ? Object.values(state.assignments).filter((a) => a.status === 'assigned') : [];
}

/** The node's availability; `in-service` for one that never left service. */
export function availabilityOf(state: NodeState): NodeAvailability | 'unregistered' {
  return state.status === 'registered' ? (state.availability ?? 'in-service') : 'unregistered';
}

/**
 * True when the scheduler may place new work here: registered and in service. Suspect, isolated and
 * draining nodes take nothing new (ch12 §2.1: faulty nodes are isolated before re-dispatch).
 */
export function isSchedulableNode(state: NodeState): boolean {
  return availabilityOf(state) === 'in-service';
}

/** Drops the optional out-of-service fields (back in service). */
function inService(state: RegisteredNode): RegisteredNode {
  const { availability: _a, isolation: _i, suspect: _s, ...rest } = state;
  return rest;
}

/** Applies one event; total and pure (an event that does not fit leaves the state unchanged). */
export function evolveNode(state: NodeState, event: NodeEvent): NodeState {
  switch (event.type) {
    case 'NodeRegistered': {
      const { nodeId, host, pool, capacity, labels, devices } = event.data;
      const assignments = state.status === 'registered' ? state.assignments : {};
      // A restarted agent registers again: that does not put an isolated node back in service.
      const kept = state.status === 'registered' ? outOfService(state) : {};
      return { status: 'registered', nodeId, host, pool, capacity, labels, ...(devices ? { devices } : {}), registeredAt: event.time, assignments, ...kept };
    }
    case 'TaskAssigned': {
      if (state.status !== 'registered') return state;
      const a = event.data;
      const key = assignmentKey(a.jobId, a.task);
      const entry: NodeAssignment = { jobId: a.jobId, task: a.task, attempt: a.attempt, status: 'assigned', assignedAt: event.time, assignment: a };
      return { ...state, assignments: { ...state.assignments, [key]: entry } };
    }
    case 'TaskStopRequested': {
      if (state.status !== 'registered') return state;
      const { jobId, task, attempt, graceMs, reason } = event.data;
      const key = assignmentKey(jobId, task);
      const current = state.assignments[key];
      if (!current || current.attempt !== attempt) return state;
      const stopped: NodeAssignment = { ...current, status: 'stop-requested', stop: { graceMs, reason, requestedAt: event.time } };
      return { ...state, assignments: { ...state.assignments, [key]: stopped } };
    }
    case 'TaskRestartRequested': {
      if (state.status !== 'registered') return state;
      const { jobId, task, attempt, procStartCount, hosts } = event.data;
      const key = assignmentKey(jobId, task);
      const current = state.assignments[key];
      if (!current || current.attempt !== attempt) return state;
      const assignment = hosts ? { ...current.assignment, hosts } : current.assignment;
      return { ...state, assignments: { ...state.assignments, [key]: { ...current, assignment, restartedTo: procStartCount } } };
    }
    case 'TaskReleased': {
      if (state.status !== 'registered') return state;
      const key = assignmentKey(event.data.jobId, event.data.task);
      const current = state.assignments[key];
      // A newer attempt on this node replaced the released one: it stays.
      if (!current || current.attempt !== event.data.attempt) return state;
      const { [key]: _released, ...assignments } = state.assignments;
      return { ...state, assignments };
    }
    case 'NodeSuspect':
      if (state.status !== 'registered') return state;
      return { ...state, availability: 'suspect', suspect: { since: event.time, lastHeartbeat: event.data.lastHeartbeat } };
    case 'NodeIsolated': {
      if (state.status !== 'registered') return state;
      const { reason, by, detail } = event.data;
      const { suspect: _s, ...rest } = state;
      return { ...rest, availability: 'isolated', isolation: { reason, by, since: event.time, ...(detail !== undefined ? { detail } : {}) } };
    }
    case 'NodeDraining': {
      if (state.status !== 'registered') return state;
      const { by, graceMs, detail } = event.data;
      const { suspect: _s, ...rest } = state;
      return {
        ...rest,
        availability: 'draining',
        isolation: { reason: 'operator', by, since: event.time, drainGraceMs: graceMs, ...(detail !== undefined ? { detail } : {}) },
      };
    }
    case 'NodeReturned':
      return state.status === 'registered' ? inService(state) : state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function outOfService(s: RegisteredNode): Partial<RegisteredNode> {
  return {
    ...(s.availability !== undefined ? { availability: s.availability } : {}),
    ...(s.isolation !== undefined ? { isolation: s.isolation } : {}),
    ...(s.suspect !== undefined ? { suspect: s.suspect } : {}),
  };
}
