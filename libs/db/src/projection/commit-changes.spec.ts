import { describe, expect, it } from 'vitest';
import { at, CommitBuilder, ev, jobLife, registerNode, spec } from '@trainyard/testing/db';
import { commitChanges } from './commit-changes';
import { UnknownEventType } from './unknown-event-type';

describe('commitChanges', () => {
  it('commitChanges - JobCreated inserts the job and its pending tasks, all stamped with event time', () => {
    const [created] = jobLife(new CommitBuilder(), 'j1');
    const changes = commitChanges(created);
    expect(changes.map((c) => c.kind)).toEqual(['insert-job', 'insert-tasks', 'update-job', 'insert-job-events', 'insert-events']);
    expect(changes[0]).toMatchObject({
      row: { id: 'j1', state: 'creating', priority: 1, node_count: 2, created_at: at(0), updated_at: at(0), last_seq: 1, spec: JSON.stringify(spec('j1')) },
    });
    expect(changes[1]).toMatchObject({ rows: [{ name: 'worker-0', index: 0, state: 'pending' }, { name: 'worker-1', index: 1, state: 'pending' }] });
    expect(changes[3]).toMatchObject({
      rows: [{ seq: 1, idx: 0, job_id: 'j1', type: 'JobCreated', time: at(0), task: null, message_zh: '训练作业创建成功', actor: 'user:alice' }],
    });
  });

  it('commitChanges - the job updates of one commit merge into one, task updates keep order and carry their attempt', () => {
    const b = new CommitBuilder(40);
    const commit = b.job('j1', [
      ev('TaskExited', 5, { task: 'worker-1', attempt: 2, nodeId: 'n2', exitCode: 137, signal: 'SIGKILL', reason: 'exited' }),
      ev('TaskExited', 6, { task: 'worker-0', attempt: 2, nodeId: 'n1', exitCode: null, reason: 'lost' }),
      ev('JobFailed', 6, { attempt: 2, reason: 'worker-1 exited with 137', task: 'worker-1', exitCode: 137 }),
    ]);
    expect(commitChanges(commit)).toEqual([
      {
        kind: 'update-task',
        jobId: 'j1',
        name: 'worker-1',
        attempt: 2,
        set: { state: 'failed', node_id: 'n2', attempt: 2, exit_code: 137, signal: 'SIGKILL', ended_at: at(5) },
      },
      { kind: 'update-task', jobId: 'j1', name: 'worker-0', attempt: 2, set: { state: 'lost', node_id: 'n1', attempt: 2, exit_code: null, signal: null, ended_at: at(6) } },
      { kind: 'update-job', id: 'j1', set: { state: 'failed', ended_at: at(6), reason: 'worker-1 exited with 137', updated_at: at(6), last_seq: 40 } },
      { kind: 'insert-job-events', rows: expect.any(Array) },
      { kind: 'insert-events', rows: [expect.objectContaining({ idx: 0, node_ids: ['n2'] }), expect.objectContaining({ idx: 1, node_ids: ['n1'] }), expect.objectContaining({ idx: 2, node_ids: [] })] },
    ]);
  });

  it('commitChanges - is deterministic: the same commit gives the same rows', () => {
    const commits = [...jobLife(new CommitBuilder(), 'j1')];
    expect(commits.map(commitChanges)).toEqual(structuredClone(commits).map(commitChanges));
  });

  it('commitChanges - a node registration upserts the node; work orders on node subjects write only the event index', () => {
    const b = new CommitBuilder();
    expect(commitChanges(registerNode(b, 'n1', 3))).toEqual([
      {
        kind: 'upsert-node',
        row: {
          id: 'n1',
          host: 'n1.lan',
          pool: 'default',
          capacity: JSON.stringify({ cpu: 8, memoryMiB: 16_384, gpu: 2, npu: 0 }),
          labels: JSON.stringify({ zone: 'a' }),
          registered_at: at(3),
          last_seq: 1,
        },
      },
      { kind: 'insert-events', rows: [expect.objectContaining({ seq: 1, type: 'NodeRegistered', aggregate: 'node', node_ids: ['n1'], job_id: null })] },
    ]);
    expect(commitChanges(b.node('n1', [ev('TaskStopRequested', 4, { jobId: 'j', task: 'worker-0', attempt: 1, graceMs: 5000, reason: 'user' })]))).toEqual([
      { kind: 'insert-events', rows: [expect.objectContaining({ type: 'TaskStopRequested', job_id: 'j', node_ids: ['n1'], task: 'worker-0' })] },
    ]);
    expect(commitChanges({ ...b.node('n1', []), subject: 'ty.ev.pool.default' })).toEqual([]);
  });

  it('commitChanges - an event type this build does not know is an UnknownEventType, never skipped', () => {
    const b = new CommitBuilder();
    const strange = { type: 'JobTeleported', version: 1, time: at(0), data: {} } as never;
    expect(() => commitChanges(b.job('j1', [strange]))).toThrow(UnknownEventType);
    expect(() => commitChanges(b.node('n1', [strange]))).toThrow(UnknownEventType);
  });
});
