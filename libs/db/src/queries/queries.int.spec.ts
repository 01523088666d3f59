import { describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, migrateDown } from '../migrate';
import { projectCommits } from '../projection/apply-commit';
import { schemaExists } from '../rebuild/schema-admin';
import { at, CommitBuilder, ev, jobLife, spec, BACKENDS, useBackend } from '@trainyard/testing/db';
import { listJobAudit } from './audit-queries';
import { getJob, listJobChanges, listJobs } from './job-queries';
import { listExperiments } from './experiment-queries';
import { requestedCards } from './overview-queries';

describe.each(BACKENDS)('queries on %s', (backend) => {
  const pg = useBackend(backend);

  it('listJobs - pages newest first with the total, and filters by state', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const created = (id: string, minute: number) =>
      b.job(id, [ev('JobCreated', minute, { jobId: id, spec: spec(id, 1), tasks: ['worker-0'], createdBy: 'alice' })]);
    await projectCommits(t.db, [created('j1', 1), created('j2', 2), created('j3', 3), created('j4', 3)]);
    await projectCommits(t.db, [b.job('j2', [ev('JobQueued', 4, { priority: 1 })])]);

    const page1 = await listJobs(t.db, { limit: 2, offset: 0 });
    expect(page1.total).toBe(4);
    // Same created_at: the id breaks the tie, so pages never overlap.
    expect(page1.items.map((j) => j.id)).toEqual(['j4', 'j3']);
    expect((await listJobs(t.db, { limit: 2, offset: 2 })).items.map((j) => j.id)).toEqual(['j2', 'j1']);
    expect(await listJobs(t.db, { limit: 2, offset: 10 })).toEqual({ items: [], total: 4 });

    expect(await listJobs(t.db, { state: 'waiting', limit: 10, offset: 0 })).toEqual({
      total: 1,
      items: [
        {
          id: 'j2',
          name: 'j2',
          state: 'waiting',
          priority: 1,
          nodeCount: 1,
          attempt: 0,
          createdAt: at(2),
          startedAt: null,
          endedAt: null,
          updatedAt: at(4),
          createdBy: 'alice',
          project: 'default',
          description: 'the j2 job',
          tags: [],
          experiment: null,
        },
      ],
    });
    expect((await listJobs(t.db, { state: ['waiting', 'creating'], limit: 10, offset: 0 })).total).toBe(4);
    expect((await listJobs(t.db, { state: [], limit: 10, offset: 0 })).total).toBe(0);
    expect(await getJob(t.db, 'nope')).toBeUndefined();
  });

  it('listJobs - finds names case-insensitively (wildcards literal) and tags by key or key and value', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const tagged = (id: string, name: string, tags: { key: string; value: string }[]) => {
      const s = spec(name, 1);
      s.metadata.tags = tags;
      return b.job(id, [ev('JobCreated', 1, { jobId: id, spec: s, tasks: ['worker-0'], createdBy: 'alice' })]);
    };
    await projectCommits(t.db, [
      tagged('a', 'ResNet_50', [{ key: 'team', value: 'vision' }]),
      tagged('b', 'resnet-18', [{ key: 'team', value: 'speech' }, { key: 'gpu', value: 'a100' }]),
      tagged('c', 'bert', []),
    ]);
    const ids = async (q: Partial<Parameters<typeof listJobs>[1]>) => (await listJobs(t.db, { limit: 10, offset: 0, ...q })).items.map((j) => j.id).sort();
    expect(await ids({ name: 'resnet' })).toEqual(['a', 'b']);
    expect(await ids({ name: 'net_' })).toEqual(['a']);
    expect(await ids({ name: '%' })).toEqual([]);
    expect(await ids({ tag: { key: 'team' } })).toEqual(['a', 'b']);
    expect(await ids({ tag: { key: 'team', value: 'speech' } })).toEqual(['b']);
    expect(await ids({ tag: { key: 'team', value: 'speech' }, name: 'ResNet_' })).toEqual([]);
    // The listing carries each job's tags (yard jobs -o wide shows them).
    expect((await listJobs(t.db, { limit: 10, offset: 0, tag: { key: 'gpu' } })).items.map((j) => [j.id, j.tags, j.experiment])).toEqual([['b', [{ key: 'team', value: 'speech' }, { key: 'gpu', value: 'a100' }], null]]);
  });

  it('listExperiments - experiments with their job counts, newest first, by project; deleted jobs and jobs without one not counted', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const joined = (id: string, at: number, experiment: string | undefined, project?: string) => {
      const s = spec(id, 1);
      if (experiment) s.metadata.experiment = experiment;
      if (project) s.metadata.project = project;
      return b.job(id, [ev('JobCreated', at, { jobId: id, spec: s, tasks: ['worker-0'], createdBy: 'alice' })]);
    };
    await projectCommits(t.db, [joined('a', 1, 'sweep'), joined('b', 2, 'sweep'), joined('c', 3, 'ablation', 'vision'), joined('d', 4, undefined), joined('e', 5, 'sweep')]);
    await projectCommits(t.db, [b.job('e', [ev('JobDeleted', 6, { by: 'alice' })], 'scheduler')]);
    const all = await listExperiments(t.db, { limit: 10 });
    expect(all.map((e) => [e.experiment, e.jobs])).toEqual([['ablation', 1], ['sweep', 2]]);
    expect(all[1].lastCreatedAt).toBe(at(2));
    expect((await listExperiments(t.db, { projects: ['default'], limit: 10 })).map((e) => e.experiment)).toEqual(['sweep']);
    expect(await listExperiments(t.db, { projects: [], limit: 10 })).toEqual([]);
    expect((await listExperiments(t.db, { limit: 1 })).map((e) => e.experiment)).toEqual(['ablation']);
  });

  it('listJobChanges - jobs changed after a sequence, in order of their last change; audit and requested cards', async () => {
    await using t = await pg.open();
    const b = new CommitBuilder();
    const create = (id: string) => b.job(id, [ev('JobCreated', 1, { jobId: id, spec: spec(id, 2), tasks: ['worker-0', 'worker-1'], createdBy: 'alice' }), ev('JobQueued', 1, { priority: 1 })]);
    await projectCommits(t.db, [create('j1'), create('j2')]);
    await projectCommits(t.db, [b.job('j1', [ev('JobStarted', 2, { attempt: 1 })], 'scheduler')]);
    expect((await listJobChanges(t.db, 0, 10)).map((c) => [c.id, c.seq, c.state])).toEqual([['j2', 2, 'waiting'], ['j1', 3, 'running']]);
    expect((await listJobChanges(t.db, 2, 10)).map((c) => c.id)).toEqual(['j1']);
    expect(await listJobChanges(t.db, 3, 10)).toEqual([]);
    expect(await listJobChanges(t.db, 0, 1)).toHaveLength(1);

    const audit = await listJobAudit(t.db, { limit: 10 });
    expect(audit.map((a) => [a.seq, a.jobId, a.actor, a.types])).toEqual([
      [2, 'j2', 'user:alice', ['JobCreated', 'JobQueued']],
      [1, 'j1', 'user:alice', ['JobCreated', 'JobQueued']],
    ]);
    expect(audit[0]).toMatchObject({ time: at(1), message: 'Training job created successfully' });
    expect((await listJobAudit(t.db, { limit: 10, jobId: 'j1' })).map((a) => a.seq)).toEqual([1]);
    expect((await listJobAudit(t.db, { limit: 10, beforeSeq: 2 })).map((a) => a.seq)).toEqual([1]);
    expect(await listJobAudit(t.db, { limit: 10, actor: 'user:bob' })).toEqual([]);
    expect(await listJobAudit(t.db, { limit: 10, since: new Date(Date.parse(at(1)) + 1) })).toEqual([]);
    // j1 runs 2 instances of 1 GPU each.
    expect(await requestedCards(t.db)).toEqual({ gpu: 2, npu: 0 });
  });

  it('migrations - down drops every table, up brings them back, and up twice is a no-op', async () => {
    await using t = await pg.open();
    await projectCommits(t.db, jobLife(new CommitBuilder(), 'job-m'));
    expect(await migrate(t.db, t.schema)).toEqual([]);
    const down = await migrateDown(t.db, t.schema);
    expect(down.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
      Object.keys(MIGRATIONS).reverse().map((name) => [name, 'Down', 'Success']),
    );
    await expect(listJobs(t.db, { limit: 1, offset: 0 })).rejects.toThrow();
    const up = await migrate(t.db, t.schema);
    expect(up.map((r) => r.status)).toEqual(Object.keys(MIGRATIONS).map(() => 'Success'));
    expect(await listJobs(t.db, { limit: 1, offset: 0 })).toEqual({ items: [], total: 0 });
    expect(await schemaExists(t.db, t.schema)).toBe(true);
  });
});
