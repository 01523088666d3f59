import { ErrorCode, FieldCode, event, type NodeEvent, type NodeEventData, type NodeIsolationReason } from '@trainyard/contracts';
import { accept, reject, type Command, type Decision } from '../decider';
import { assignmentKey, availabilityOf, type NodeState } from './node';

/**
 * Node commands of the fault manager and the operators (issue 5): the isolation lifecycle
 * (suspect → isolated | draining → back in service) and in-place restarts of one task attempt.
 * Wired into `decideNode` in `node.decide.ts`.
 *
 * ```
 *  in-service ──MarkNodeSuspect──► suspect ──IsolateNode(node-lost)──► isolated ──ReturnNode──► in-service
 *      │  ▲                          │  └──ReturnNode (heartbeats back)──────────────────────────►  ▲
 *      │  └────────────ReturnNode────┼─────────────────── draining ◄──DrainNode (any state)        │
 *      └──IsolateNode (hardware-fault | repeated-failures | operator)──► isolated ───ReturnNode──────┘
 * ```
 */

/** Heartbeats stopped for the lease time. Only an in-service node becomes suspect. */
export type MarkNodeSuspect = Command<'MarkNodeSuspect', { lastHeartbeat: string | null; by: string }>;

/**
 * Take a node out of service. Isolating an isolated node again is a no-op, except that a fault of the
 * node itself (`hardware-fault`, `repeated-failures`, `operator`) replaces a `node-lost` isolation, so
 * the node no longer returns by itself when its heartbeats resume.
 */
export type IsolateNode = Command<'IsolateNode', { reason: NodeIsolationReason; by: string; detail?: string }>;

/** Out of service, and every task on it is stopped after `graceMs` and recovered elsewhere. */
export type DrainNode = Command<'DrainNode', { by: string; graceMs: number; detail?: string }>;

/**
 * Back in service. `auto` (the fault manager, heartbeats heard again) returns only a suspect node or
 * one isolated because it was lost; anything else waits for an operator (`yard node uncordon`).
 */
export type ReturnNode = Command<'ReturnNode', { by: string; reason: string; auto?: boolean }>;

/** Restart one task attempt in place on this node (`MA_PROC_START_CNT` = `procStartCount`). */
export type RequestTaskRestart = Command<'RequestTaskRestart', NodeEventData['TaskRestartRequested']>;

export type NodeIsolationCommand = MarkNodeSuspect | IsolateNode | DrainNode | ReturnNode | RequestTaskRestart;

/** Named reasons the isolation commands add to `NodeRejection`. */
export const NodeIsolationRejection = {
  InvalidIsolation: 'InvalidIsolation',
  UnknownAssignment: 'UnknownAssignment',
  NodeNotFound: 'NodeNotFound',
} as const;
type Reason = (typeof NodeIsolationRejection)[keyof typeof NodeIsolationRejection];
type NodeDecision = Decision<NodeEvent, Reason>;

const ISOLATION_REASONS: readonly NodeIsolationReason[] = ['node-lost', 'hardware-fault', 'repeated-failures', 'operator'];
const emit = (...events: NodeEvent[]): NodeDecision => accept<NodeEvent>(...events);
const notFound = (): NodeDecision => reject(ErrorCode.NotFound, NodeIsolationRejection.NodeNotFound, 'node is not registered');

function markNodeSuspect({ data, metadata }: MarkNodeSuspect, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  if (availabilityOf(state) !== 'in-service') return emit();
  return emit(event('NodeSuspect', metadata.now, { lastHeartbeat: data.lastHeartbeat, by: data.by }));
}

function isolateNode({ data, metadata }: IsolateNode, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  if (!ISOLATION_REASONS.includes(data.reason)) {
    return reject(ErrorCode.ValidationFailed, NodeIsolationRejection.InvalidIsolation, `reason must be one of ${ISOLATION_REASONS.join(', ')}`, [
      { path: 'reason', code: FieldCode.InvalidFormat, message: 'unknown isolation reason' },
    ]);
  }
  const now = availabilityOf(state);
  if (now === 'draining') return emit();
  // A node fault outranks a loss: it must not come back on its own.
  if (now === 'isolated' && !(state.isolation?.reason === 'node-lost' && data.reason !== 'node-lost')) return emit();
  const { reason, by, detail } = data;
  return emit(event('NodeIsolated', metadata.now, { reason, by, ...(detail !== undefined ? { detail } : {}) }));
}

function drainNode({ data, metadata }: DrainNode, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  if (!Number.isInteger(data.graceMs) || data.graceMs < 0) {
    return reject(ErrorCode.ValidationFailed, NodeIsolationRejection.InvalidIsolation, 'graceMs must be an integer ≥ 0', [
      { path: 'graceMs', code: FieldCode.OutOfRange, message: 'integer ≥ 0' },
    ]);
  }
  if (availabilityOf(state) === 'draining') return emit();
  const { by, graceMs, detail } = data;
  return emit(event('NodeDraining', metadata.now, { by, graceMs, ...(detail !== undefined ? { detail } : {}) }));
}

function returnNode({ data, metadata }: ReturnNode, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  const now = availabilityOf(state);
  if (now === 'in-service') return emit();
  if (data.auto && !(now === 'suspect' || (now === 'isolated' && state.isolation?.reason === 'node-lost'))) return emit();
  return emit(event('NodeReturned', metadata.now, { by: data.by, reason: data.reason }));
}

function requestTaskRestart({ data, metadata }: RequestTaskRestart, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  const current = state.assignments[assignmentKey(data.jobId, data.task)];
  if (!current || current.attempt < data.attempt) {
    return reject(ErrorCode.NotFound, NodeIsolationRejection.UnknownAssignment, `${data.task} of job ${data.jobId} attempt ${data.attempt} is not assigned to ${state.nodeId}`);
  }
  // Superseded, being stopped, or this restart (or a later one) already requested: nothing to do.
  if (current.attempt > data.attempt || current.status === 'stop-requested') return emit();
  if (data.procStartCount <= Math.max(current.restartedTo ?? 0, current.assignment.procStartCount)) return emit();
  return emit(event('TaskRestartRequested', metadata.now, { ...data }));
}

/** Decides one isolation or restart command. */
export function decideNodeIsolation(command: NodeIsolationCommand, state: NodeState): NodeDecision {
  switch (command.type) {
    case 'MarkNodeSuspect':
      return markNodeSuspect(command, state);
    case 'IsolateNode':
      return isolateNode(command, state);
    case 'DrainNode':
      return drainNode(command, state);
    case 'ReturnNode':
      return returnNode(command, state);
    case 'RequestTaskRestart':
      return requestTaskRestart(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}
