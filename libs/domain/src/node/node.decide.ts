import {
  ErrorCode,
  FieldCode,
  SUBJECT_TOKEN,
  event,
  type Capacity,
  type DeviceInventory,
  type FieldError,
  type NodeEvent,
  type NodeEventData,
  type TaskAssignment,
} from '@trainyard/contracts';
import { accept, reject, type Command, type Decider, type Decision } from '../decider';
import { assignmentKey, evolveNode, initialNode, type NodeState, type RegisteredNode } from './node';
import { decideNodeIsolation, type NodeIsolationCommand } from './node.isolation';

// ---------------------------------------------------------------- commands

/**
 * A node agent announces itself (on start, and whenever its capacity changes). Re-registering with
 * the same data is a no-op, so an agent may send it on every start.
 *
 * @example
 * ```ts
 * { type: 'RegisterNode', data: { nodeId: 'gpu-01', host: '10.0.0.7', pool: 'default',
 *   capacity: { cpu: 32, memoryMiB: 262144, gpu: 8, npu: 0 }, labels: {} }, metadata: { now } }
 * ```
 */
export type RegisterNode = Command<
  'RegisterNode',
  { nodeId: string; host: string; pool: string; capacity: Capacity; labels: Record<string, string>; devices?: DeviceInventory }
>;

/** The scheduler commits one task attempt to this node. */
export type AssignTask = Command<'AssignTask', { assignment: TaskAssignment }>;

/** Ask the agent to stop one task attempt (SIGTERM, then SIGKILL after `graceMs`). */
export type RequestTaskStop = Command<'RequestTaskStop', NodeEventData['TaskStopRequested']>;

/**
 * The scheduler is done with one task attempt here (its job ended, or the task moved on): the node
 * forgets it. Idempotent: releasing an attempt the node no longer holds changes nothing.
 */
export type ReleaseTask = Command<'ReleaseTask', NodeEventData['TaskReleased']>;

/** Includes the isolation lifecycle and in-place restarts of the fault manager (`node.isolation.ts`). */
export type NodeCommand = RegisterNode | AssignTask | RequestTaskStop | ReleaseTask | NodeIsolationCommand;

/** Named reasons of every node rejection (STYLE 6). */
export const NodeRejection = {
  NodeNotFound: 'NodeNotFound',
  InvalidRegistration: 'InvalidRegistration',
  NodeIdMismatch: 'NodeIdMismatch',
  StaleAssignment: 'StaleAssignment',
  /** One instance's flavor exceeds the node's whole capacity: the plan is wrong, recompute it. */
  DoesNotFit: 'DoesNotFit',
  UnknownAssignment: 'UnknownAssignment',
  /** An isolation or drain command with a bad reason or grace (fault manager). */
  InvalidIsolation: 'InvalidIsolation',
} as const;
export type NodeRejection = (typeof NodeRejection)[keyof typeof NodeRejection];

type NodeDecision = Decision<NodeEvent, NodeRejection>;
const emit = (...events: NodeEvent[]): NodeDecision => accept<NodeEvent>(...events);

const notFound = (): NodeDecision => reject(ErrorCode.NotFound, NodeRejection.NodeNotFound, 'node is not registered');

// ---------------------------------------------------------------- helpers

function registrationErrors(d: RegisterNode['data']): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, code: FieldError['code'], message: string) => errors.push({ path, code, message });
  if (typeof d.nodeId !== 'string' || !SUBJECT_TOKEN.test(d.nodeId)) add('nodeId', FieldCode.InvalidFormat, 'nodeId must match [A-Za-z0-9_-]{1,128}');
  if (typeof d.host !== 'string' || d.host.length === 0) add('host', FieldCode.Required, 'host is required');
  if (typeof d.pool !== 'string' || d.pool.length === 0) add('pool', FieldCode.Required, 'pool is required');
  const c = d.capacity as Partial<Capacity> | undefined;
  if (!c || typeof c !== 'object') add('capacity', FieldCode.Required, 'capacity is required');
  else {
    for (const k of ['cpu', 'memoryMiB', 'gpu', 'npu'] as const) {
      const v = c[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) add(`capacity.${k}`, FieldCode.OutOfRange, `${k} must be a number ≥ 0`);
    }
  }
  if (d.labels === null || typeof d.labels !== 'object' || Object.values(d.labels).some((v) => typeof v !== 'string')) {
    add('labels', FieldCode.InvalidType, 'labels must be a map of strings');
  }
  for (const kind of ['gpu', 'npu'] as const) {
    const ids = d.devices?.[kind];
    if (ids === undefined) continue;
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || !DEVICE_ID.test(id))) {
      add(`devices.${kind}`, FieldCode.InvalidFormat, `devices.${kind} must be a list of card ids matching ${DEVICE_ID}`);
    } else if (new Set(ids).size !== ids.length) add(`devices.${kind}`, FieldCode.InvalidFormat, `devices.${kind} lists a card twice`);
    // The scheduler counts `capacity` and hands out ids: the two must agree, or a task gets too few cards.
    else if (c && typeof c === 'object' && ids.length !== c[kind]) add(`devices.${kind}`, FieldCode.OutOfRange, `devices.${kind} lists ${ids.length} card(s), capacity.${kind} is ${c[kind]}`);
  }
  return errors;
}

/** A card id as `CUDA_VISIBLE_DEVICES` / `ASCEND_VISIBLE_DEVICES` take it: an index or a GPU UUID. */
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const sameIds = (a: readonly string[] | undefined, b: readonly string[] | undefined) => (a ?? []).join(',') === (b ?? []).join(',');

/** Shallow equality that treats an `undefined` value as an absent key (JSON drops both alike). */
const sameRecord = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => {
  const keys = (r: Record<string, unknown>) => Object.keys(r).filter((k) => r[k] !== undefined);
  const ka = keys(a);
  return ka.length === keys(b).length && ka.every((k) => a[k] === b[k]);
};

function sameRegistration(s: RegisteredNode, d: RegisterNode['data']): boolean {
  return (
    s.host === d.host &&
    s.pool === d.pool &&
    sameRecord(s.capacity as unknown as Record<string, unknown>, d.capacity as unknown as Record<string, unknown>) &&
    sameRecord(s.labels, d.labels) &&
    sameIds(s.devices?.gpu, d.devices?.gpu) &&
    sameIds(s.devices?.npu, d.devices?.npu)
  );
}

/** Why one instance of `a` can never fit on a node of this capacity, or undefined. */
function misfit(capacity: Capacity, a: TaskAssignment): string | undefined {
  const f = a.flavor;
  if (f.cpu > capacity.cpu) return `needs ${f.cpu} cpu, node has ${capacity.cpu}`;
  if (f.memoryMiB > capacity.memoryMiB) return `needs ${f.memoryMiB} MiB, node has ${capacity.memoryMiB}`;
  if ((f.gpu ?? 0) > capacity.gpu) return `needs ${f.gpu} gpu, node has ${capacity.gpu}`;
  if ((f.npu ?? 0) > capacity.npu) return `needs ${f.npu} npu, node has ${capacity.npu}`;
  if (f.acceleratorType && f.acceleratorType !== capacity.acceleratorType) return `needs ${f.acceleratorType}, node has ${capacity.acceleratorType ?? 'none'}`;
  return undefined;
}

// ---------------------------------------------------------------- one function per command

function registerNode({ data, metadata }: RegisterNode, state: NodeState): NodeDecision {
  const errors = registrationErrors(data);
  if (errors.length) return reject(ErrorCode.ValidationFailed, NodeRejection.InvalidRegistration, 'invalid node registration', errors);
  if (state.status === 'registered') {
    if (state.nodeId !== data.nodeId) return reject(ErrorCode.IllegalState, NodeRejection.NodeIdMismatch, `this aggregate is node ${state.nodeId}, not ${data.nodeId}`);
    if (sameRegistration(state, data)) return emit();
  }
  const { nodeId, host, pool, capacity, labels, devices } = data;
  return emit(event('NodeRegistered', metadata.now, { nodeId, host, pool, capacity, labels, ...(devices ? { devices } : {}) }));
}

function assignTask({ data, metadata }: AssignTask, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  const a = data.assignment;
  const current = state.assignments[assignmentKey(a.jobId, a.task)];
  if (current && current.attempt === a.attempt) return emit();
  if (current && current.attempt > a.attempt) {
    return reject(ErrorCode.IllegalState, NodeRejection.StaleAssignment, `${a.task} of job ${a.jobId} is already at attempt ${current.attempt}`);
  }
  const why = misfit(state.capacity, a);
  if (why) return reject(ErrorCode.IllegalState, NodeRejection.DoesNotFit, `${a.task} of job ${a.jobId} cannot fit on ${state.nodeId}: ${why}`);
  return emit(event('TaskAssigned', metadata.now, a));
}

function requestTaskStop({ data, metadata }: RequestTaskStop, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  const current = state.assignments[assignmentKey(data.jobId, data.task)];
  if (!current || current.attempt < data.attempt) {
    return reject(ErrorCode.NotFound, NodeRejection.UnknownAssignment, `${data.task} of job ${data.jobId} attempt ${data.attempt} was never assigned to ${state.nodeId}`);
  }
  // A newer attempt replaced it (the old one is gone), or the stop is already requested.
  if (current.attempt > data.attempt || current.status === 'stop-requested') return emit();
  const { jobId, task, attempt, graceMs, reason, preemption } = data;
  return emit(event('TaskStopRequested', metadata.now, { jobId, task, attempt, graceMs, reason, ...(preemption ? { preemption } : {}) }));
}

function releaseTask({ data, metadata }: ReleaseTask, state: NodeState): NodeDecision {
  if (state.status !== 'registered') return notFound();
  const current = state.assignments[assignmentKey(data.jobId, data.task)];
  if (!current || current.attempt !== data.attempt) return emit();
  const { jobId, task, attempt } = data;
  return emit(event('TaskReleased', metadata.now, { jobId, task, attempt }));
}

// ---------------------------------------------------------------- decide

/** Decides one node command: events to append (maybe none) or a rejection. */
export function decideNode(command: NodeCommand, state: NodeState): NodeDecision {
  switch (command.type) {
    case 'RegisterNode':
      return registerNode(command, state);
    case 'AssignTask':
      return assignTask(command, state);
    case 'RequestTaskStop':
      return requestTaskStop(command, state);
    case 'ReleaseTask':
      return releaseTask(command, state);
    case 'MarkNodeSuspect':
    case 'IsolateNode':
    case 'DrainNode':
    case 'ReturnNode':
    case 'RequestTaskRestart':
      return decideNodeIsolation(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * The node decider.
 *
 * @example
 * ```ts
 * const d = nodeDecider.decide({ type: 'AssignTask', data: { assignment }, metadata: { now } }, fold(nodeDecider, history));
 * ```
 */
export const nodeDecider: Decider<NodeCommand, NodeEvent, NodeState, NodeRejection> = {
  decide: decideNode,
  evolve: evolveNode,
  initialState: initialNode,
};
