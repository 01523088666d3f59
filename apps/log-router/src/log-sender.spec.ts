import { event, Subjects } from '@trainyard/contracts';
import { InMemoryEventLog } from '@trainyard/event-log';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { senderOf, senderRefusal } from './log-sender';
import { TaskPlacements } from './task-placements';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const T0 = '2026-03-13T10:00:00.000Z';
const meta = (id: string) => ({ commandId: id, correlationId: id, actor: 'scheduler' });

describe('log router - who sent a batch (issue 11)', () => {
  it('property: the subject names the job, the task and the sending node; the body must name the same task', () => {
    fc.assert(
      fc.property(token, token, token, token, (job, task, node, other) => {
        expect(senderOf(Subjects.log(job, task, node))).toEqual({ jobId: job, task, nodeId: node });
        expect(senderRefusal(Subjects.log(job, task, node), { jobId: job, task })).toBeUndefined();
        // Lines of another task, or another job, under this subject: refused.
        if (other !== task) expect(senderRefusal(Subjects.log(job, task, node), { jobId: job, task: other })).toMatch(/its subject for/);
        if (other !== job) expect(senderRefusal(Subjects.log(job, task, node), { jobId: other, task })).toMatch(/its subject for/);
      }),
    );
  });

  it('refuses the subjects of an old agent (no node) and anything else under ty.log', () => {
    for (const s of ['ty.log.j1.worker-0', 'ty.log.j1', 'ty.log.j1.worker-0.n1.extra', 'ty.logx.j1.worker-0.n1']) {
      expect(senderOf(s), s).toBeUndefined();
      expect(senderRefusal(s, { jobId: 'j1', task: 'worker-0' }), s).toMatch(/is not ty\.log\.<job>\.<task>\.<node>/);
    }
  });
});

describe('log router - where each task was placed', () => {
  it('knows every node a task was placed on (first placement, pod move), none other; a later placement is found on a miss', async () => {
    const log = new InMemoryEventLog();
    const placements = new TaskPlacements(log);
    await log.append(Subjects.job('j1'), [event('JobScheduled', T0, { attempt: 1, placements: [{ task: 'worker-0', index: 0, nodeId: 'n1', host: 'h1' }, { task: 'worker-1', index: 1, nodeId: 'n2', host: 'h2' }] })], meta('s1'), 0);
    expect(await placements.placed('j1', 'worker-0', 'n1')).toBe(true);
    expect(await placements.placed('j1', 'worker-0', 'n2')).toBe(false);
    expect(await placements.placed('j2', 'worker-0', 'n1')).toBe(false);
    // worker-0 moves to n3 (a pod reschedule): its lines from n3 are its own from then on.
    await log.append(Subjects.job('j1'), [event('JobRestarted', T0, { mode: 'pod', tasks: ['worker-0'], restarts: { current: 1, max: 3 }, placements: [{ task: 'worker-0', index: 0, nodeId: 'n3', host: 'h3' }] } as never)], meta('s2'), 'any');
    expect(await placements.placed('j1', 'worker-0', 'n3')).toBe(true);
    expect(await placements.placed('j1', 'worker-0', 'n1')).toBe(true);
  });

  it('keeps at most maxJobs jobs cached, the least recently used going first', async () => {
    const reads: string[] = [];
    const log = new InMemoryEventLog();
    const counting = { read: (s: string) => (reads.push(s), log.read(s)) };
    for (const j of ['a', 'b', 'c']) await log.append(Subjects.job(j), [event('JobScheduled', T0, { attempt: 1, placements: [{ task: 't', index: 0, nodeId: 'n', host: 'h' }] })], meta(j), 0);
    const placements = new TaskPlacements(counting, 2);
    for (const j of ['a', 'b', 'a', 'c', 'a', 'b']) await placements.placed(j, 't', 'n');
    // a, b read; a hit; c read (b goes); a hit; b read again.
    expect(reads).toEqual([Subjects.job('a'), Subjects.job('b'), Subjects.job('c'), Subjects.job('b')]);
  });
});
