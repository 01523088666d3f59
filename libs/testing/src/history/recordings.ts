// Test support (@trainyard/testing/history): hand-built recordings for the history specs — a two-node cluster and jobs placed the way the planner
// places them (best fit, ties by node id), with the scheduler's commits at their pass moments.
import { event, type StoredCommit, Subjects, withDefaults } from '@trainyard/contracts';

export const T0 = Date.parse('2026-12-02T03:00:00.000Z');
export const s = (sec: number) => new Date(T0 + sec * 1000).toISOString();

export class Log {
  readonly commits: StoredCommit[] = [];
  private seq = 0;
  job(id: string, actor: string, events: ReturnType<typeof event>[]): StoredCommit {
    return this.push(Subjects.job(id), actor, events);
  }
  node(id: string, events: ReturnType<typeof event>[]): StoredCommit {
    return this.push(Subjects.node(id), `node:${id}`, events);
  }
  private push(subject: string, actor: string, events: ReturnType<typeof event>[]): StoredCommit {
    const c: StoredCommit = { seq: ++this.seq, subject, events, meta: { commandId: `c${this.seq}`, correlationId: `c${this.seq}`, actor } };
    this.commits.push(c);
    return c;
  }
}

export const wholeNodeSpec = (name: string, priority = 1, extra: Record<string, unknown> = {}) =>
  withDefaults({ kind: 'job', metadata: { name }, algorithm: { command: 'sleep 1' }, spec: { resource: { flavor: { cpu: 2, memoryMiB: 256 }, nodeCount: 1 }, priority, ...extra } } as never);

export function register(log: Log, id: string, at = 0): void {
  log.node(id, [event('NodeRegistered', s(at), { nodeId: id, host: `${id}.lan`, pool: 'default', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, labels: {} })]);
}

export function submit(log: Log, id: string, at: number, priority = 1, extra: Record<string, unknown> = {}): void {
  const spec = wholeNodeSpec(id, priority, extra);
  log.job(id, 'user:ada', [event('JobCreated', s(at), { jobId: id, spec, tasks: ['worker-0'], createdBy: 'user:ada' }), event('JobQueued', s(at), { priority })]);
}

export function place(log: Log, id: string, node: string, at: number, attempt = 1): void {
  log.job(id, 'scheduler', [event('JobScheduled', s(at), { attempt, placements: [{ task: 'worker-0', index: 0, nodeId: node, host: `${node}.lan` }] })]);
}

export function start(log: Log, id: string, node: string, at: number, attempt = 1): void {
  log.job(id, `node:${node}`, [event('TaskStarted', s(at), { task: 'worker-0', attempt, nodeId: node, procStartCount: 1 }), event('JobStarted', s(at), { attempt })]);
}

export function exit(log: Log, id: string, node: string, at: number, attempt = 1, exitCode = 0): void {
  log.job(id, `node:${node}`, [
    event('TaskExited', s(at), { task: 'worker-0', attempt, nodeId: node, exitCode, reason: 'exited' }),
    exitCode === 0 ? event('JobSucceeded', s(at), { attempt }) : event('JobFailed', s(at), { attempt, reason: `worker-0 exited with ${exitCode}`, task: 'worker-0', exitCode }),
  ]);
}

/** Two 2-cpu nodes held by whole-node jobs a (n1, from 1 s) and b (n2, from 2 s); c submitted at 3 s waits. */
export function twoBusyNodes(): Log {
  const log = new Log();
  register(log, 'n1');
  register(log, 'n2');
  submit(log, 'a', 1);
  place(log, 'a', 'n1', 1.01);
  start(log, 'a', 'n1', 1.5);
  submit(log, 'b', 2);
  place(log, 'b', 'n2', 2.01);
  start(log, 'b', 'n2', 2.5);
  submit(log, 'c', 3);
  return log;
}

/**
 * Two 2-cpu nodes, three whole-node jobs: a → n1, b → n2 at once; c waits until a ends at 10 s and
 * takes n1. What the live scheduler records for that workload.
 */
export function threeJobs(): Log {
  const log = twoBusyNodes();
  log.job('c', 'scheduler', [event('JobWaiting', s(3.01), { reason: { code: 'INSUFFICIENT_RESOURCES', position: 1, deficit: { cpu: 2 }, unplacedInstances: 1 } })]);
  exit(log, 'a', 'n1', 10);
  place(log, 'c', 'n1', 10.01);
  start(log, 'c', 'n1', 10.5);
  exit(log, 'c', 'n1', 15.5);
  exit(log, 'b', 'n2', 20);
  return log;
}
