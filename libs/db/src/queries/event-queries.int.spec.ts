import { describe, expect, it } from 'vitest';
import { at, BACKENDS, CommitBuilder, ev, jobLife, registerNode, useBackend } from '@trainyard/testing/db';
import { projectCommits } from '../projection/apply-commit';
import { indexedCommits, listIndexedEvents, sequenceAt } from './event-queries';

describe.each(BACKENDS)('event index on %s', (backend) => {
  const pg = useBackend(backend);

  const history = () => {
    const b = new CommitBuilder();
    const commits = [registerNode(b, 'n1', 0), registerNode(b, 'n2', 0), ...jobLife(b, 'j1', 1), ...jobLife(b, 'j2', 20)];
    commits.push(b.node('n2', [ev('NodeIsolated', 40, { reason: 'operator', by: 'user:ops' })]));
    return commits;
  };

  it('event index - lists every job and node event in log order, filtered by type, job, node, actor and time, paged by cursor', async () => {
    await using t = await pg.open();
    const commits = history();
    await projectCommits(t.db, commits);
    const all = await listIndexedEvents(t.db, { limit: 1000 });
    expect(all.map((e) => e.id)).toEqual(commits.flatMap((c) => c.events.map((_, i) => `${c.seq}.${i}`)));
    expect(all[0]).toMatchObject({ type: 'NodeRegistered', aggregate: { kind: 'node', id: 'n1' }, nodeIds: ['n1'], jobId: null, actor: 'node:n1' });

    const started = await listIndexedEvents(t.db, { types: ['JobStarted', 'NodeIsolated'], limit: 100 });
    expect(started.map((e) => [e.type, e.jobId ?? e.aggregate.id])).toEqual([['JobStarted', 'j1'], ['JobStarted', 'j2'], ['NodeIsolated', 'n2']]);
    expect(started[2].message).toMatch(/isolat/i);

    const onN2 = await listIndexedEvents(t.db, { nodeId: 'n2', limit: 100 });
    expect(new Set(onN2.map((e) => e.type))).toEqual(new Set(['NodeRegistered', 'JobScheduled', 'TaskStarted', 'TaskExited', 'NodeIsolated']));
    expect(onN2.every((e) => e.nodeIds.includes('n2'))).toBe(true);

    const j2 = await listIndexedEvents(t.db, { jobId: 'j2', limit: 100 });
    expect(j2.length).toBe(commits.filter((c) => c.subject === 'ty.ev.job.j2').flatMap((c) => c.events).length);
    const bySched = commits.filter((c) => c.meta.actor === 'scheduler').flatMap((c) => c.events.map((_, i) => `${c.seq}.${i}`));
    expect((await listIndexedEvents(t.db, { actor: 'scheduler', limit: 100 })).map((e) => e.id)).toEqual(bySched);
    expect((await listIndexedEvents(t.db, { jobsOnly: true, limit: 1000 })).every((e) => e.aggregate.kind === 'job')).toBe(true);

    const window = await listIndexedEvents(t.db, { sinceTime: new Date(at(20)), untilTime: new Date(at(22)), limit: 100 });
    expect(window.map((e) => e.type)).toEqual(['JobCreated', 'JobQueued', 'JobScheduled']);
    expect((await listIndexedEvents(t.db, { sinceSeq: 5, untilSeq: 5, limit: 10 })).map((e) => e.seq)).toEqual([5]);

    // Pages resume after the last event seen, including inside a commit of several events.
    const pages: string[] = [];
    let after: { seq: number; idx: number } | undefined;
    for (;;) {
      const page = await listIndexedEvents(t.db, { after, limit: 3 });
      pages.push(...page.map((e) => e.id));
      if (page.length < 3) break;
      after = { seq: page[2].seq, idx: page[2].idx };
    }
    expect(pages).toEqual(all.map((e) => e.id));
  });

  it('event index - the sequence at a time cuts the log where it stood, and the indexed commits equal the logged ones', async () => {
    await using t = await pg.open();
    const commits = history();
    await projectCommits(t.db, commits);
    expect(await sequenceAt(t.db, new Date(Date.parse(at(0)) - 1))).toBe(0);
    const upTo = await sequenceAt(t.db, new Date(at(5)));
    expect(upTo).toBe(commits.filter((c) => c.events.every((e) => e.time <= at(5))).at(-1)!.seq);
    // Long after the last event (a quiet hour): the cut is the end of the log.
    expect(await sequenceAt(t.db, new Date(Date.parse(at(40)) + 3_600_000))).toBe(commits.at(-1)!.seq);
    const j1 = commits.filter((c) => c.subject === 'ty.ev.job.j1' && c.seq <= upTo);
    const back = await indexedCommits(t.db, { subject: 'ty.ev.job.j1', upTo });
    expect(back.map((c) => ({ seq: c.seq, events: c.events, actor: c.meta.actor }))).toEqual(j1.map((c) => ({ seq: c.seq, events: c.events, actor: c.meta.actor })));
  });
});
