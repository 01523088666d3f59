import type { Capacity, NodeEvent, TaskAssignment } from '@trainyard/contracts';

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
  /** Time of the latest NodeRegistered. */
  registeredAt: string;
  /** Keyed by `assignmentKey(jobId, task)`; only the latest attempt is kept. */
  assignments: Record<string, NodeAssignment>;
}

export type NodeState = UnregisteredNode | RegisteredNode;

export const initialNode = (): NodeState => ({ status: 'unregistered' });

/** Key of a task in `assignments`. `/` cannot occur in job ids or task names (subject tokens). */
export const assignmentKey = (jobId: string, task: string): string => `${jobId}/${task}`;

/** Assignments the agent should be running (not asked to stop). */
export function assignedTasks(state: NodeState): NodeAssignment[] {
  return state.status === 'registered' ? Object.values(state.assignments).filter((a) => a.status === 'assigned') : [];
}

/** Applies one event; total and pure (an event that does not fit leaves the state unchanged). */
export function evolveNode(state: NodeState, event: NodeEvent): NodeState {
  switch (event.type) {
    case 'NodeRegistered': {
      const { nodeId, host, pool, capacity, labels } = event.data;
      const assignments = state.status === 'registered' ? state.assignments : {};
      return { status: 'registered', nodeId, host, pool, capacity, labels, registeredAt: event.time, assignments };
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
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
