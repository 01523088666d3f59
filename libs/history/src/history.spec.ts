import { createHash } from 'node:crypto';
import { event, type StoredCommit } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explainJob } from './explain';
import { EXPORT_FORMAT, exportLine, headerLine, parseExport } from './export-format';
import { jobGoodput } from './goodput';
import { HistoryFold } from './history-fold';
import { exit, Log, place, register, s, start, submit, threeJobs } from '@trainyard/testing/history';
import { checkPlacement } from './placement-check';
import { jobAt, nodesAt } from './views-at';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

describe('history fold', () => {
  it('fold - a past moment is the deciders\' state after the commits up to it: c waits at 5 s, runs on n1 at 12 s', () => {
    const { commits } = threeJobs();
    const upTo = (sec: number) => new HistoryFold().applyAll(commits.filter((c) => c.events.every((e) => e.time <= s(sec))));
    const at5 = upTo(5);
    expect(jobAt('c', at5.jobs.get('c'))).toMatchObject({ state: 'waiting', dispatched: false, waitReason: { code: 'INSUFFICIENT_RESOURCES' } });
    expect(nodesAt(at5).map((n) => [n.id, n.used.cpu])).toEqual([['n1', 2], ['n2', 2]]);
    const at12 = upTo(12);
    expect(jobAt('c', at12.jobs.get('c'))).toMatchObject({ state: 'running', tasks: [{ nodeId: 'n1', state: 'running' }] });
    expect(jobAt('a', at12.jobs.get('a'))).toMatchObject({ state: 'completed', endedAt: s(10) });
    expect(jobAt('zzz', at12.jobs.get('zzz'))).toBeUndefined();
  });

  it('fold - property: folding in two halves equals folding at once; out of order is refused', () => {
    const { commits } = threeJobs();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: commits.length }), (k) => {
        const whole = new HistoryFold().applyAll(commits);
        const halves = new HistoryFold().applyAll(commits.slice(0, k)).applyAll(commits.slice(k));
        expect([...halves.jobs.keys()].map((id) => jobAt(id, halves.jobs.get(id)))).toEqual([...whole.jobs.keys()].map((id) => jobAt(id, whole.jobs.get(id))));
        expect(nodesAt(halves)).toEqual(nodesAt(whole));
      }),
    );
    expect(() => new HistoryFold().applyAll([commits[1], commits[0]])).toThrow(RangeError);
  });
});

describe('explain', () => {
  it('explain - admission, the wait, the placement with how the other nodes fared, the end, in order', () => {
    const { commits } = threeJobs();
    const mine = commits.filter((c) => c.subject === 'ty.ev.job.c');
    const placedSeq = mine.find((c) => c.events[0].type === 'JobScheduled')!.seq;
    const before = new HistoryFold().applyAll(commits.filter((c) => c.seq < placedSeq));
    const job = before.jobs.get('c')!.state;
    if (job.status === 'none') throw new Error('no job');
    const check = checkPlacement(before, job, mine.find((c) => c.seq === placedSeq)!.events[0].data as never);
    expect(check).toMatchObject({ pool: 'default', others: 1, rejected: { INSUFFICIENT_CPU: 1 }, feasible: 0, nodes: { n2: 'INSUFFICIENT_CPU' } });
    const { decisions } = explainJob('c', mine, { placementChecks: new Map([[placedSeq, check]]) });
    expect(decisions.map((d) => d.kind)).toEqual(['admission', 'queued', 'wait', 'placement', 'start', 'end']);
    expect(decisions[2].text).toBe('waiting: INSUFFICIENT_RESOURCES (position 1; short of cpu 2; 1 instance(s) without room)');
    expect(decisions[3].text).toBe('placed attempt 1: worker-0 on n1; of the 1 other node(s) of pool default: 1 INSUFFICIENT_CPU');
    expect(decisions.map((d) => d.seq)).toEqual([...decisions.map((d) => d.seq)].sort((a, b) => a - b));
  });

  it('explain - a preemption names the preemptor and the victim set it chose; a recovery its rule and counters', () => {
    const log = new Log();
    register(log, 'n1');
    submit(log, 'low', 1);
    place(log, 'low', 'n1', 1);
    start(log, 'low', 'n1', 2);
    submit(log, 'high', 3, 3);
    log.job('high', 'scheduler', [event('JobWaiting', s(3), { reason: { code: 'PREEMPTION_PENDING', position: 1, victims: ['low'] } })]);
    log.job('low', 'scheduler', [event('JobPreempted', s(3), { attempt: 1, by: 'high', byPriority: 3, graceMs: 1000 })]);
    log.job('low', 'fault-manager', [
      event('RecoveryDecided', s(4), { attempt: 1, rule: 'R2', action: 'reschedule-job', fault: { kind: 'process-killed', task: 'worker-0', nodeId: 'n1', code: 'SIGKILL', hardware: false }, restarts: { current: 1, max: 3 }, tasks: ['worker-0'], isolate: [], message: 'rescheduled' }),
    ]);
    const related = new Map([['high', log.commits.filter((c) => c.subject === 'ty.ev.job.high')]]);
    const { decisions } = explainJob('low', log.commits.filter((c) => c.subject === 'ty.ev.job.low'), { related });
    const pre = decisions.find((d) => d.kind === 'preemption')!;
    expect(pre.text).toMatch(/^preempted by high \(priority 3 > this job's\); tasks stopped with 1000 ms grace; high chose the victim set low/);
    expect(decisions.find((d) => d.kind === 'recovery')!.text).toBe('recovery: rule R2 on process-killed SIGKILL of worker-0 on n1 → reschedule-job (restarts 1/3): rescheduled');
  });
});

describe('goodput', () => {
  it('goodput - waiting, startup, useful and in-place recovery of one job, and the recovery ledger phases', () => {
    const log = new Log();
    register(log, 'n1');
    submit(log, 'j', 0);
    place(log, 'j', 'n1', 10);
    start(log, 'j', 'n1', 12);
    log.job('j', 'node:n1', [event('TaskExited', s(20), { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: 137, signal: 'SIGKILL', reason: 'exited' })]);
    log.job('j', 'fault-manager', [
      event('RecoveryDecided', s(21), { attempt: 1, rule: 'R1', action: 'restart-in-place', fault: { kind: 'process-killed', task: 'worker-0', nodeId: 'n1', code: 'SIGKILL', hardware: false }, restarts: { current: 1, max: 3 }, tasks: ['worker-0'], isolate: [], message: 'm' }),
      event('JobRestarted', s(21), { attempt: 1, mode: 'in-place', tasks: ['worker-0'], restarts: { current: 1, max: 3 } }),
    ]);
    log.job('j', 'node:n1', [event('TaskStarted', s(23), { task: 'worker-0', attempt: 1, nodeId: 'n1', procStartCount: 2 })]);
    exit(log, 'j', 'n1', 40);
    const g = jobGoodput('j', log.commits.filter((c) => c.subject === 'ty.ev.job.j'), s(100));
    expect(g).toMatchObject({ instances: 1, waitingMs: 10_000, allocatedMs: 30_000, startupMs: 2_000, recoveryMs: 3_000, usefulMs: 25_000, rerunsMs: 0, failedMs: 0, until: s(40) });
    expect(g.goodput).toBeCloseTo(25 / 30, 4);
    expect(g.recoveries).toEqual([
      { seq: expect.any(Number), rule: 'R1', action: 'restart-in-place', fault: 'process-killed SIGKILL', faultAt: s(20), detectMs: 0, decideMs: 1000, stopMs: 0, placeMs: 0, startMs: 2000, totalMs: 3000 },
    ]);
  });

  it('goodput - property: startup + useful + recovery + reruns + failed is what was allocated', () => {
    const attempt = fc.record({ wait: fc.integer({ min: 0, max: 50 }), startup: fc.integer({ min: 0, max: 5 }), run: fc.integer({ min: 1, max: 100 }), end: fc.constantFrom('preempted', 'succeeded', 'failed') });
    fc.assert(
      fc.property(fc.array(attempt, { minLength: 1, maxLength: 5 }), (attempts) => {
        const log = new Log();
        submit(log, 'j', 0);
        let t = 0;
        for (const [i, a] of attempts.entries()) {
          const n = i + 1;
          place(log, 'j', 'n1', (t += a.wait), n);
          start(log, 'j', 'n1', (t += a.startup), n);
          t += a.run;
          if (a.end === 'preempted' && i < attempts.length - 1) {
            log.job('j', 'scheduler', [event('JobPreempted', s(t), { attempt: n, by: 'x', byPriority: 3, graceMs: 1 })]);
            log.job('j', 'scheduler', [event('JobQueued', s(t), { priority: 1, requeue: 'preemption' })]);
          } else {
            exit(log, 'j', 'n1', t, n, a.end === 'failed' ? 1 : 0);
            break;
          }
        }
        const g = jobGoodput('j', log.commits, s(t + 1000));
        expect(g.startupMs + g.usefulMs + g.recoveryMs + g.rerunsMs + g.failedMs).toBe(g.allocatedMs);
        expect(g.goodput === null || (g.goodput >= 0 && g.goodput <= 1)).toBe(true);
      }),
    );
  });
});

describe('export format', () => {
  const commits = (): StoredCommit[] => threeJobs().commits;
  const file = (cs: StoredCommit[]) => [headerLine(cs[0]?.seq ?? 0, cs.at(-1)?.seq ?? 0), ...cs.map((c) => exportLine(c, sha))].join('\n') + '\n';

  it('export - a round trip gives the same commits; the header names the format', () => {
    const cs = commits();
    const parsed = parseExport(file(cs), sha, { contiguousFrom1: true });
    expect(parsed).toEqual({ ok: true, header: { format: EXPORT_FORMAT, version: 1, first: 1, last: cs.length }, commits: cs });
  });

  it('export - property: any one line edited is refused at that line; a cut or a gap is refused', () => {
    const cs = commits();
    const lines = file(cs).trimEnd().split('\n');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: lines.length - 1 }), fc.nat(), fc.constantFrom('x', '7', ' ', '"'), (i, at, ch) => {
        const edited = [...lines];
        const l = edited[i];
        const k = at % l.length;
        if (l[k] === ch) return;
        edited[i] = l.slice(0, k) + ch + l.slice(k + 1);
        const parsed = parseExport(edited.join('\n'), sha, { contiguousFrom1: true });
        if (parsed.ok) {
          // Only an edit JSON cannot see (whitespace between tokens) may pass, and then the commits are unchanged.
          expect(parsed.commits).toEqual(cs);
        } else {
          expect(parsed.errors[0].line).toBe(i + 1);
        }
      }),
    );
    const cut = parseExport(lines.slice(0, -2).join('\n'), sha);
    expect(cut.ok === false && cut.errors[0]).toMatchObject({ code: 'COUNT_MISMATCH', line: 1 });
    const gap = parseExport([headerLine(1, cs.length), ...lines.slice(1).filter((_, i) => i !== 2)].join('\n'), sha, { contiguousFrom1: true });
    expect(gap.ok === false && gap.errors[0]).toMatchObject({ code: 'NOT_CONTIGUOUS', line: 4, field: 'seq' });
    expect(parseExport('{"format":"other"}', sha)).toMatchObject({ ok: false, errors: [{ code: 'BAD_HEADER', line: 1 }] });
  });
});
