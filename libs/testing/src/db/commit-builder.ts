// Test support (@trainyard/testing/db): hand-built commits with stream sequences, as the log would store them.
import {
  type DomainEvent,
  event,
  type EventDataMap,
  type EventType,
  type StoredCommit,
  Subjects,
  type TrainingJobSpec,
  withDefaults,
} from '@trainyard/contracts';

export const T0 = Date.parse('2026-03-01T08:00:00.000Z');
/** Minute `m` after T0, as the ISO time events carry. */
export const at = (m: number) => new Date(T0 + m * 60_000).toISOString();
export const ev = <T extends EventType>(type: T, minute: number, data: EventDataMap[T]) => event(type, at(minute), data);

export function spec(name: string, nodeCount = 2, flavor = { cpu: 1.5, memoryMiB: 512, gpu: 1 }): TrainingJobSpec {
  return withDefaults({
    kind: 'job',
    metadata: { name, description: `the ${name} job` },
    algorithm: { command: 'python3 train.py' },
    spec: { resource: { flavor, nodeCount } },
  });
}

/** Numbers commits like a stream: 1, 2, 3… across every subject. */
export class CommitBuilder {
  #seq: number;
  constructor(firstSeq = 1) {
    this.#seq = firstSeq - 1;
  }
  job(jobId: string, events: DomainEvent[], actor = 'user:alice'): StoredCommit {
    return this.#commit(Subjects.job(jobId), events, actor);
  }
  node(nodeId: string, events: DomainEvent[]): StoredCommit {
    return this.#commit(Subjects.node(nodeId), events, `node:${nodeId}`);
  }
  #commit(subject: string, events: DomainEvent[], actor: string): StoredCommit {
    const seq = ++this.#seq;
    return { subject, events, seq, meta: { commandId: `cmd-${seq}`, correlationId: `corr-${seq}`, actor } };
  }
}

export const registerNode = (b: CommitBuilder, nodeId: string, minute = 0, cpu = 8) =>
  b.node(nodeId, [
    ev('NodeRegistered', minute, {
      nodeId,
      host: `${nodeId}.lan`,
      pool: 'default',
      capacity: { cpu, memoryMiB: 16_384, gpu: 2, npu: 0 },
      labels: { zone: 'a' },
    }),
  ]);

/** The commits of a two-task job from submission to success, minutes from `m`. */
export function jobLife(b: CommitBuilder, jobId: string, m = 0): StoredCommit[] {
  const tasks = ['worker-0', 'worker-1'];
  const placements = tasks.map((task, index) => ({ task, index, nodeId: `n${index + 1}`, host: `n${index + 1}.lan` }));
  return [
    b.job(jobId, [ev('JobCreated', m, { jobId, spec: spec(jobId), tasks, createdBy: 'alice' })]),
    b.job(jobId, [ev('JobQueued', m + 1, { priority: 2 })], 'scheduler'),
    b.job(jobId, [ev('JobScheduled', m + 2, { attempt: 1, placements })], 'scheduler'),
    b.job(
      jobId,
      [
        ev('TaskStarted', m + 3, { task: 'worker-0', attempt: 1, nodeId: 'n1', pid: 100, procStartCount: 1 }),
        ev('JobStarted', m + 3, { attempt: 1 }),
      ],
      'node:n1',
    ),
    b.job(jobId, [ev('TaskStarted', m + 4, { task: 'worker-1', attempt: 1, nodeId: 'n2', procStartCount: 1 })], 'node:n2'),
    b.job(jobId, [ev('TaskExited', m + 10, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 0, reason: 'exited' })], 'node:n1'),
    b.job(
      jobId,
      [
        ev('TaskExited', m + 11, { task: 'worker-1', attempt: 1, nodeId: 'n2', exitCode: 0, signal: null, reason: 'exited' }),
        ev('JobSucceeded', m + 11, { attempt: 1 }),
      ],
      'node:n2',
    ),
  ];
}
