import { event, type JobEvent, type TaskPlacement, type TrainingJobSpec, withDefaults } from '@trainyard/contracts';
import type { TrainingJobCommand } from '@trainyard/domain';

/** Builders for training-job specs (tests only; not part of the public surface). */

export const T0 = '2026-03-13T10:00:00.000Z';
export const T1 = '2026-03-13T10:01:00.000Z';

export function aSpec(overrides: { nodeCount?: number; priority?: number; maxRunHours?: number; gpu?: number; preemptible?: boolean } = {}): TrainingJobSpec {
  return {
    kind: 'job',
    metadata: { name: 'hello' },
    algorithm: { command: 'python3 train.py' },
    spec: {
      resource: { flavor: { cpu: 1, memoryMiB: 256, ...(overrides.gpu !== undefined ? { gpu: overrides.gpu } : {}) }, nodeCount: overrides.nodeCount ?? 2 },
      ...(overrides.priority !== undefined ? { priority: overrides.priority } : {}),
      ...(overrides.maxRunHours !== undefined ? { maxRunHours: overrides.maxRunHours } : {}),
      ...(overrides.preemptible !== undefined ? { preemptible: overrides.preemptible } : {}),
    },
  };
}

export const tasksOf = (n: number) => Array.from({ length: n }, (_, i) => `worker-${i}`);

export const placementsFor = (n: number, node = (i: number) => `node-${i}`): TaskPlacement[] =>
  tasksOf(n).map((task, index) => ({ task, index, nodeId: node(index), host: `10.0.0.${index + 1}` }));

/** History of a job created and queued (status waiting). */
export function createdHistory(spec = aSpec(), jobId = 'j1', at = T0): JobEvent[] {
  const full = withDefaults(spec);
  const n = full.spec.resource.nodeCount ?? 1;
  return [
    event('JobCreated', at, { jobId, spec: full, tasks: tasksOf(n), createdBy: 'user:ada' }),
    event('JobQueued', at, { priority: full.spec.priority ?? 1 }),
  ];
}

/** History of a job dispatched (attempt 1), no task started yet. */
export function scheduledHistory(spec = aSpec(), at = T0): JobEvent[] {
  const n = spec.spec.resource.nodeCount ?? 1;
  return [...createdHistory(spec, 'j1', at), event('JobScheduled', at, { attempt: 1, placements: placementsFor(n) })];
}

/** History of a running job: every task started once. */
export function runningHistory(spec = aSpec(), at = T0): JobEvent[] {
  const n = spec.spec.resource.nodeCount ?? 1;
  const starts = tasksOf(n).map((task, i) => event('TaskStarted', at, { task, attempt: 1, nodeId: `node-${i}`, procStartCount: 1 }));
  return [...scheduledHistory(spec, at), starts[0], event('JobStarted', at, { attempt: 1 }), ...starts.slice(1)];
}

/** Builds a command with `metadata.now`. */
export function cmd<C extends TrainingJobCommand>(type: C['type'], data: C['data'], now = T1): C {
  return { type, data, metadata: { now } } as C;
}
