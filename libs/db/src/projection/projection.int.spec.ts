import { describe, expect, it } from 'vitest';
import { getJob, listJobs } from '../queries/job-queries';
import { listJobEvents } from '../queries/job-event-queries';
import { listNodes } from '../queries/node-queries';
import { at, CommitBuilder, ev, jobLife, registerNode, spec, BACKENDS, useBackend } from '@trainyard/testing/db';
import { projectCommits } from './apply-commit';
import { readCheckpoint } from './checkpoint';
import { UnknownEventType } from './unknown-event-type';

describe.each(BACKENDS)('projection on %s', (backend) => {
  const pg = useBackend(backend);

  it("projection - a job's life: created, queued, scheduled, started, tasks exit, succeeded", async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const commits = jobLife(b, 'job-a');

    await projectCommits(t.db, commits.slice(0, 1));
    expect(await getJob(t.db, 'job-a')).toMatchObject({ state: 'creating', stateZh: '创建中', attempt: 0, dispatched: false });

    await projectCommits(t.db, commits.slice(1, 3));
    const scheduled = await getJob(t.db, 'job-a');
    expect(scheduled).toMatchObject({ state: 'waiting', priority: 2, attempt: 1, dispatched: true });
    expect(scheduled?.tasks.map((x) => [x.name, x.state, x.nodeId])).toEqual([
      ['worker-0', 'assigned', 'n1'],
      ['worker-1', 'assigned', 'n2'],
    ]);

    for (const c of commits.slice(3)) await projectCommits(t.db, [c]);
    const job = await getJob(t.db, 'job-a');
    expect(job).toEqual({
      id: 'job-a',
      name: 'job-a',
      description: 'the job-a job',
      state: 'completed',
      stateZh: '已完成',
      priority: 2,
      nodeCount: 2,
      attempt: 1,
      dispatched: true,
      reason: null,
      createdBy: 'alice',
      spec: spec('job-a'),
      createdAt: at(0),
      startedAt: at(3),
      endedAt: at(11),
      updatedAt: at(11),
      lastSeq: 7,
      waitReason: null,
      requeue: null,
      preemptedBy: null,
      project: 'default',
      tags: [],
      experiment: null,
      tasks: [
        { name: 'worker-0', index: 0, state: 'succeeded', nodeId: 'n1', attempt: 1, exitCode: 0, signal: null, procStartCount: 1, startedAt: at(3), endedAt: at(10) },
        { name: 'worker-1', index: 1, state: 'succeeded', nodeId: 'n2', attempt: 1, exitCode: 0, signal: null, procStartCount: 1, startedAt: at(4), endedAt: at(11) },
      ],
    });
    expect(await readCheckpoint(t.db)).toBe(7);

    const events = await listJobEvents(t.db, 'job-a');
    expect(events.map((e) => [e.seq, e.idx, e.type, e.task])).toEqual([
      [1, 0, 'JobCreated', null],
      [2, 0, 'JobQueued', null],
      [3, 0, 'JobScheduled', null],
      [4, 0, 'TaskStarted', 'worker-0'],
      [4, 1, 'JobStarted', null],
      [5, 0, 'TaskStarted', 'worker-1'],
      [6, 0, 'TaskExited', 'worker-0'],
      [7, 0, 'TaskExited', 'worker-1'],
      [7, 1, 'JobSucceeded', null],
    ]);
    expect(events[0]).toMatchObject({ message: 'Training job created successfully', messageZh: '训练作业创建成功', actor: 'user:alice', time: at(0) });
    expect(events[7]).toMatchObject({ messageZh: '[worker-1] 训练结束，退出码 0', actor: 'node:n2', data: { exitCode: 0, reason: 'exited' } });
    expect(await listJobEvents(t.db, 'job-a', { afterSeq: 6 })).toHaveLength(2);
  });

  it('projection - a stop while queued ends terminated with the reason, without starting', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    await projectCommits(t.db, [
      b.job('job-s', [ev('JobCreated', 0, { jobId: 'job-s', spec: spec('job-s', 1), tasks: ['worker-0'], createdBy: 'bob' })]),
      b.job('job-s', [ev('JobQueued', 1, { priority: 1 })], 'scheduler'),
      b.job('job-s', [ev('JobPriorityChanged', 2, { from: 1, to: 3, by: 'bob' })], 'user:bob'),
      b.job('job-s', [ev('JobStopRequested', 3, { by: 'bob', reason: 'user' })], 'user:bob'),
    ]);
    expect(await getJob(t.db, 'job-s')).toMatchObject({ state: 'terminating', priority: 3, reason: 'user', endedAt: null });

    await projectCommits(t.db, [b.job('job-s', [ev('JobTerminated', 4, { reason: 'user' })], 'scheduler')]);
    const job = await getJob(t.db, 'job-s');
    expect(job).toMatchObject({ state: 'terminated', stateZh: '已终止', reason: 'user', startedAt: null, endedAt: at(4), dispatched: false });
    expect(job?.tasks).toMatchObject([{ name: 'worker-0', state: 'pending', nodeId: null, attempt: 0 }]);
    expect((await listJobEvents(t.db, 'job-s')).at(-1)?.messageZh).toBe('训练作业已被手动终止');
  });

  it('projection - a deleted job keeps its row in state deleted and leaves the default listing', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    await projectCommits(t.db, [...jobLife(b, 'job-d'), ...jobLife(b, 'job-k', 30)]);
    await projectCommits(t.db, [
      b.job('job-d', [ev('JobDeletionRequested', 60, { by: 'alice' })]),
      b.job('job-d', [ev('JobDeleted', 61, { by: 'alice' })], 'scheduler'),
    ]);
    expect(await getJob(t.db, 'job-d')).toMatchObject({ state: 'deleted', endedAt: at(11), updatedAt: at(61) });
    expect(await listJobs(t.db, { limit: 10, offset: 0 })).toMatchObject({ total: 1, items: [{ id: 'job-k' }] });
    expect(await listJobs(t.db, { state: 'deleted', limit: 10, offset: 0 })).toMatchObject({ total: 1, items: [{ id: 'job-d' }] });
  });

  it('projection - node registration and used capacity follow the tasks on the node', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    await projectCommits(t.db, [registerNode(b, 'n1'), registerNode(b, 'n2')]);
    const life = jobLife(b, 'job-n');
    await projectCommits(t.db, life.slice(0, 3)); // scheduled: both tasks assigned
    const nodes = await listNodes(t.db);
    expect(nodes).toEqual([
      {
        id: 'n1',
        host: 'n1.lan',
        pool: 'default',
        capacity: { cpu: 8, memoryMiB: 16_384, gpu: 2, npu: 0 },
        used: { cpu: 1.5, memoryMiB: 512, gpu: 1, npu: 0 },
        labels: { zone: 'a' },
        registeredAt: at(0),
      },
      expect.objectContaining({ id: 'n2', used: { cpu: 1.5, memoryMiB: 512, gpu: 1, npu: 0 } }),
    ]);

    // worker-0 exited, worker-1 running: worker-0 keeps n1 while the job runs (an in-place restart
    // would start it there again); the job's end lets go of both.
    await projectCommits(t.db, life.slice(3, 6));
    expect((await listNodes(t.db)).map((n) => [n.id, n.used.cpu])).toEqual([
      ['n1', 1.5],
      ['n2', 1.5],
    ]);
    await projectCommits(t.db, life.slice(6));
    expect((await listNodes(t.db)).map((n) => [n.id, n.used.cpu])).toEqual([
      ['n1', 0],
      ['n2', 0],
    ]);

    // Re-registration: the latest capacity and time win.
    await projectCommits(t.db, [registerNode(b, 'n1', 90, 16)]);
    expect((await listNodes(t.db))[0]).toMatchObject({ capacity: { cpu: 16 }, registeredAt: at(90) });
  });

  it('projection - a late event of an older attempt does not overwrite the newer attempt', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const placements = (nodeId: string) => [{ task: 'worker-0', index: 0, nodeId, host: `${nodeId}.lan` }];
    await projectCommits(t.db, [
      b.job('job-r', [ev('JobCreated', 0, { jobId: 'job-r', spec: spec('job-r', 1), tasks: ['worker-0'], createdBy: 'alice' })]),
      b.job('job-r', [ev('JobScheduled', 1, { attempt: 1, placements: placements('n1') })]),
      b.job('job-r', [ev('TaskStarted', 2, { task: 'worker-0', attempt: 1, nodeId: 'n1', procStartCount: 1 })]),
      b.job('job-r', [ev('JobScheduled', 3, { attempt: 2, placements: placements('n2') })]),
      b.job('job-r', [ev('TaskStarted', 4, { task: 'worker-0', attempt: 2, nodeId: 'n2', procStartCount: 1 })]),
      b.job('job-r', [ev('TaskExited', 5, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, signal: 'SIGKILL', reason: 'lost' })]),
    ]);
    const job = await getJob(t.db, 'job-r');
    expect(job?.attempt).toBe(2);
    expect(job?.tasks[0]).toMatchObject({ state: 'running', attempt: 2, nodeId: 'n2', exitCode: null, endedAt: null });
  });

  it('checkpoint - a commit whose application throws leaves neither its rows nor the checkpoint', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const [created] = jobLife(b, 'job-ok');
    await projectCommits(t.db, [created]);

    const good = b.job('job-x', [ev('JobCreated', 1, { jobId: 'job-x', spec: spec('job-x'), tasks: ['worker-0'], createdBy: 'eve' })]);
    // JobCreated is written first; the broken second event makes the transaction fail after it.
    const broken = b.job('job-y', [
      ev('JobCreated', 2, { jobId: 'job-y', spec: spec('job-y'), tasks: ['worker-0'], createdBy: 'eve' }),
      { type: 'JobQueued', version: 1, time: at(2), data: null } as never,
    ]);
    await expect(projectCommits(t.db, [good, broken])).rejects.toThrow();
    expect(await readCheckpoint(t.db)).toBe(1);
    expect(await getJob(t.db, 'job-x')).toBeUndefined();
    expect(await getJob(t.db, 'job-y')).toBeUndefined();
    expect(await listJobEvents(t.db, 'job-x')).toEqual([]);

    // A type this build does not know stops the projection the same way.
    const unknown = b.job('job-z', [{ type: 'JobTeleported', version: 1, time: at(3), data: {} } as never]);
    await expect(projectCommits(t.db, [unknown])).rejects.toBeInstanceOf(UnknownEventType);
    expect(await readCheckpoint(t.db)).toBe(1);

    // The good commit alone still applies.
    expect(await projectCommits(t.db, [good])).toBe(good.seq);
    expect(await getJob(t.db, 'job-x')).toMatchObject({ state: 'creating' });
  });

  it('checkpoint - commits at or below the checkpoint are skipped, so nothing applies twice', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const life = jobLife(b, 'job-2x');
    expect(await projectCommits(t.db, life.slice(0, 4))).toBe(4);
    expect(await projectCommits(t.db, life.slice(2, 4))).toBe(4);
    expect(await projectCommits(t.db, life.slice(0, 6))).toBe(6);
    expect((await listJobEvents(t.db, 'job-2x')).map((e) => `${e.seq}.${e.idx}`)).toEqual(['1.0', '2.0', '3.0', '4.0', '4.1', '5.0', '6.0']);
    await expect(projectCommits(t.db, [life[6], life[5]])).resolves.toBe(7); // 6 is skipped, 7 applies
    await expect(projectCommits(t.db, [])).resolves.toBe(7);
  });

  it('projection - commits on subjects outside the read models only move the checkpoint', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const assigned = b.node('n1', [
      ev('TaskStopRequested', 0, { jobId: 'j', task: 'worker-0', attempt: 1, graceMs: 1000, reason: 'user' }),
    ]);
    const other = { ...b.job('x', []), subject: 'ty.ev.pool.default' };
    expect(await projectCommits(t.db, [assigned, other])).toBe(2);
    expect(await listNodes(t.db)).toEqual([]);
  });
});
