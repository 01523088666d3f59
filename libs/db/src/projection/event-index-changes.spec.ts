import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { at, CommitBuilder, ev, jobLife, registerNode } from '@trainyard/testing/db';
import { eventIndexChanges } from './event-index-changes';

describe('eventIndexChanges', () => {
  it('event index - one row per event, in commit order, with the job, nodes, task, actor and data of each', () => {
    const b = new CommitBuilder(7);
    const placements = [
      { task: 'worker-0', index: 0, nodeId: 'n2', host: 'n2.lan' },
      { task: 'worker-1', index: 1, nodeId: 'n1', host: 'n1.lan' },
    ];
    const [change] = eventIndexChanges(b.job('j1', [ev('JobScheduled', 3, { attempt: 1, placements }), ev('JobWaiting', 3, { reason: { code: 'X' } })], 'scheduler'));
    expect(change).toEqual({
      kind: 'insert-events',
      rows: [
        {
          seq: 7, idx: 0, subject: 'ty.ev.job.j1', aggregate: 'job', aggregate_id: 'j1', type: 'JobScheduled', version: 1, time: at(3),
          job_id: 'j1', node_ids: ['n1', 'n2'], task: null, actor: 'scheduler', command_id: 'cmd-7', data: JSON.stringify({ attempt: 1, placements }),
        },
        expect.objectContaining({ seq: 7, idx: 1, type: 'JobWaiting', node_ids: [] }),
      ],
    });
  });

  it('event index - a recovery names the faulty node and those it isolates; a node work order names its job', () => {
    const b = new CommitBuilder();
    const [rec] = eventIndexChanges(
      b.job('j1', [
        ev('RecoveryDecided', 1, {
          attempt: 1, rule: 'R', action: 'reschedule-job', fault: { kind: 'hardware', nodeId: 'n3', hardware: true },
          restarts: { current: 1, max: 3 }, tasks: ['worker-0'], isolate: ['n3', 'n9'], message: 'm',
        }),
      ]),
    );
    expect(rec.kind === 'insert-events' && rec.rows[0].node_ids).toEqual(['n3', 'n9']);
    const [order] = eventIndexChanges(b.node('n4', [ev('TaskStopRequested', 2, { jobId: 'j1', task: 'worker-0', attempt: 1, graceMs: 1, reason: 'r' })]));
    expect(order.kind === 'insert-events' && order.rows[0]).toMatchObject({ aggregate: 'node', aggregate_id: 'n4', job_id: 'j1', node_ids: ['n4'] });
    expect(eventIndexChanges({ ...b.node('n1', []), subject: 'ty.ev.pool.p' })).toEqual([]);
  });

  it('event index - property: every event of every commit is indexed once, at (seq, idx), with its data intact', () => {
    const b = new CommitBuilder();
    const commits = [registerNode(b, 'n1'), registerNode(b, 'n2'), ...jobLife(b, 'j1'), ...jobLife(b, 'j2', 5)];
    fc.assert(
      fc.property(fc.subarray(commits, { minLength: 1 }), (picked) => {
        const rows = picked.flatMap(eventIndexChanges).flatMap((c) => (c.kind === 'insert-events' ? c.rows : []));
        expect(rows.map((r) => `${r.seq}.${r.idx}`)).toEqual(picked.flatMap((c) => c.events.map((_, i) => `${c.seq}.${i}`)));
        const events = picked.flatMap((c) => c.events);
        rows.forEach((r, i) => {
          expect(JSON.parse(r.data)).toEqual(events[i].data);
          expect(r.type).toBe(events[i].type);
          expect([...r.node_ids].sort()).toEqual(r.node_ids);
          expect(new Set(r.node_ids).size).toBe(r.node_ids.length);
        });
      }),
    );
  });
});
