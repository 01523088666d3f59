import { event, Subjects, withDefaults, type DomainEvent, type JobEvent, type NodeEvent, type StoredCommit, type TrainingJobSpec } from '@trainyard/contracts';
import { nodeDecider, tasksHoldingNodes, trainingJobDecider, type NodeCommand, type TrainingJobCommand } from '@trainyard/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state';
import { followUpActions, type NodeWork } from './follow-up-actions';

/**
 * Issue 19: a node's state holds its live work only. Each finished attempt is released (`TaskReleased`)
 * once its agent reported the end or it was told to stop, and never while it may still run there.
 * The world here is the real deciders and the scheduler's own follow-ups, committed in stream order.
 */

const T0 = '2026-03-13T10:00:00.000Z';
const spec = (instances: number): TrainingJobSpec =>
  withDefaults({ kind: 'job', metadata: { name: 'r' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 }, nodeCount: instances } } });

class World {
  seq = 0;
  readonly state = new ClusterState();

  private commit(subject: string, events: DomainEvent[], actor: string) {
    if (events.length) this.state.apply({ subject, seq: ++this.seq, events, meta: { commandId: `c${this.seq}`, correlationId: 'x', actor } } as StoredCommit);
  }

  node(id: string) {
    const data = { nodeId: id, host: `${id}.lan`, pool: 'default', capacity: { cpu: 64, memoryMiB: 65536, gpu: 0, npu: 0 }, labels: {} };
    this.commit(Subjects.node(id), [event('NodeRegistered', T0, data)], `node:${id}`);
    return this;
  }

  /** A job command through the real decider; rejections are the test's error. */
  job(jobId: string, command: TrainingJobCommand, actor = 'scheduler') {
    const current = this.state.jobs.get(jobId)?.state ?? trainingJobDecider.initialState();
    const d = trainingJobDecider.decide(command, current);
    if (!d.ok) throw new Error(`${command.type} on ${jobId}: ${d.rejection.reason} ${d.rejection.message}`);
    this.commit(Subjects.job(jobId), d.events as JobEvent[], actor);
    return this;
  }

  nodeCommand(nodeId: string, command: NodeCommand, actor = 'scheduler') {
    const d = nodeDecider.decide(command, this.state.nodes.get(nodeId)!.state);
    if (!d.ok) throw new Error(`${command.type} on ${nodeId}: ${d.rejection.reason}`);
    this.commit(Subjects.node(nodeId), d.events as NodeEvent[], actor);
  }

  /** The scheduler's follow-up passes until there is nothing left to do; returns what they did. */
  settle(): NodeWork[] {
    const done: NodeWork[] = [];
    for (let pass = 0; pass < 10; pass++) {
      const work = followUpActions(this.state);
      if (!work.length) return done;
      done.push(...work);
      const m = { now: T0 };
      for (const w of work) {
        if (w.kind === 'assign') this.nodeCommand(w.nodeId, { type: 'AssignTask', data: { assignment: w.assignment }, metadata: m });
        else if (w.kind === 'stop') this.nodeCommand(w.nodeId, { type: 'RequestTaskStop', data: { jobId: w.jobId, task: w.task, attempt: w.attempt, graceMs: 1000, reason: w.reason }, metadata: m });
        else this.nodeCommand(w.nodeId, { type: 'ReleaseTask', data: { jobId: w.jobId, task: w.task, attempt: w.attempt }, metadata: m });
      }
    }
    throw new Error('follow-ups did not settle');
  }

  assignments(nodeId: string): string[] {
    const s = this.state.nodes.get(nodeId)!.state;
    return s.status === 'registered' ? Object.keys(s.assignments) : [];
  }

  started(jobId: string, task: string, nodeId: string, attempt = 1) {
    return this.job(jobId, { type: 'ReportTaskStarted', data: { task, attempt, nodeId, procStartCount: 1 }, metadata: { now: T0 } }, `node:${nodeId}`);
  }

  exited(jobId: string, task: string, nodeId: string, exitCode: number | null, reason: 'exited' | 'stopped' | 'lost' = 'exited', actor = `node:${nodeId}`) {
    return this.job(jobId, { type: 'ReportTaskExited', data: { task, attempt: 1, nodeId, exitCode, signal: null, reason }, metadata: { now: T0 } }, actor);
  }
}

const submit = (w: World, jobId: string, nodes: string[]) =>
  w
    .job(jobId, { type: 'SubmitJob', data: { jobId, spec: spec(nodes.length), createdBy: 'user:u' }, metadata: { now: T0 } })
    .job(jobId, { type: 'ScheduleJob', data: { placements: nodes.map((n, i) => ({ task: `worker-${i}`, index: i, nodeId: n, host: `${n}.lan` })) }, metadata: { now: T0 } });

describe('scheduler - finished task attempts are released from their nodes (issue 19)', () => {
  it('a job that completed leaves nothing on its nodes: one release per attempt, then nothing more to do', () => {
    const w = new World().node('n1').node('n2');
    submit(w, 'a', ['n1', 'n2']);
    expect(w.settle().map((x) => x.kind)).toEqual(['assign', 'assign']);
    w.started('a', 'worker-0', 'n1').started('a', 'worker-1', 'n2');
    w.exited('a', 'worker-0', 'n1', 0);
    // worker-0 ended while the job runs: it may still restart in place, so it stays on n1.
    expect(w.settle()).toEqual([]);
    expect(w.assignments('n1')).toEqual(['a/worker-0']);
    w.exited('a', 'worker-1', 'n2', 0);
    // Completed with nothing left running: the job leaves the scheduler's picture (no pass walks it again).
    expect(w.state.jobs.has('a')).toBe(false);
    const released = w.settle();
    expect(released.map((x) => [x.kind, x.nodeId, x.commandId])).toEqual([
      ['release', 'n1', 'release/n1/a/worker-0/1'],
      ['release', 'n2', 'release/n2/a/worker-1/1'],
    ]);
    expect([w.assignments('n1'), w.assignments('n2')]).toEqual([[], []]);
    // Nor the agents' reported ends of those attempts (what tells finished from possibly running).
    expect([w.state.nodes.get('n1')!.ended.size, w.state.nodes.get('n2')!.ended.size]).toEqual([0, 0]);
  });

  it('a stopped job: stops first, and the release only once the job is done with each attempt', () => {
    const w = new World().node('n1');
    submit(w, 's', ['n1', 'n1']);
    w.settle();
    w.started('s', 'worker-0', 'n1').started('s', 'worker-1', 'n1');
    w.job('s', { type: 'StopJob', data: { by: 'user:u', reason: 'user' }, metadata: { now: T0 } });
    expect(w.settle().map((x) => x.kind)).toEqual(['stop', 'stop']);
    w.exited('s', 'worker-0', 'n1', null, 'stopped');
    // Told to stop and no longer held by the job: released even before the last exit ends the job.
    expect(w.settle().map((x) => x.commandId)).toEqual(['release/n1/s/worker-0/1']);
    w.exited('s', 'worker-1', 'n1', null, 'stopped');
    expect(w.settle().map((x) => x.commandId)).toEqual(['release/n1/s/worker-1/1']);
    expect(w.assignments('n1')).toEqual([]);
  });

  it('an attempt a lost node may still run is released only after the fence told it to stop', () => {
    const w = new World().node('n1').node('n2');
    submit(w, 'l', ['n1']);
    w.settle();
    w.started('l', 'worker-0', 'n1');
    // The fault manager's word, not the agent's: the process may live on behind a partition.
    w.exited('l', 'worker-0', 'n1', null, 'lost', 'fault-manager');
    expect(w.settle()).toEqual([]);
    expect(w.assignments('n1')).toEqual(['l/worker-0']);
    w.nodeCommand('n1', { type: 'RequestTaskStop', data: { jobId: 'l', task: 'worker-0', attempt: 1, graceMs: 1000, reason: 'node n1 was lost' }, metadata: { now: T0 } }, 'fault-manager');
    expect(w.settle().map((x) => x.commandId)).toEqual(['release/n1/l/worker-0/1']);
  });

  it('property: however jobs interleave and end, every node holds exactly the attempts their jobs still hold', () => {
    const NODES = ['n1', 'n2', 'n3'];
    const jobPlan = fc.record({
      nodes: fc.array(fc.constantFrom(...NODES), { minLength: 1, maxLength: 3 }),
      outcome: fc.constantFrom('succeed', 'fail', 'stop'),
    });
    fc.assert(
      fc.property(fc.array(jobPlan, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 60 }), (plans, order) => {
        const w = new World();
        for (const n of NODES) w.node(n);
        // Each job moves one stage per turn it is given; the turns interleave the jobs.
        const stage = plans.map(() => 0);
        const turns = [...order.map((i) => i % plans.length), ...plans.flatMap((_, i) => [i, i, i, i, i])];
        for (const j of turns) {
          advance(w, `j${j}`, plans[j]!, stage[j]!);
          stage[j]!++;
          w.settle();
          for (const n of NODES) {
            const held = new Set(
              [...w.state.jobs.values()].flatMap(({ state: job }) =>
                job.status === 'none' ? [] : tasksHoldingNodes(job).filter((t) => t.nodeId === n).map((t) => `${job.jobId}/${t.name}`),
              ),
            );
            // Never released while held; and nothing else lingers once its job let go.
            for (const k of held) expect(w.assignments(n)).toContain(k);
            for (const k of w.assignments(n)) expect(held.has(k) || stopPending(w, n, k)).toBe(true);
          }
        }
        for (const n of NODES) expect(w.assignments(n)).toEqual([]);
        // Every job ended and nothing of it runs: none is left in the picture.
        expect([...w.state.jobs.keys()]).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

/** A stop was requested and the task's exit is not reported yet: the node keeps it until then. */
function stopPending(w: World, nodeId: string, key: string): boolean {
  const s = w.state.nodes.get(nodeId)!.state;
  if (s.status !== 'registered') return false;
  const a = s.assignments[key]!;
  const job = w.state.jobs.get(a.jobId)?.state;
  const t = job && job.status !== 'none' ? job.tasks.find((x) => x.name === a.task) : undefined;
  return t !== undefined && (t.status === 'assigned' || t.status === 'running');
}

/** Stage 0 submit and place, 1 every task starts, 2 the outcome, 3 the rest of the exits. */
function advance(w: World, jobId: string, plan: { nodes: string[]; outcome: string }, stage: number): void {
  const tasks = plan.nodes.map((n, i) => ({ task: `worker-${i}`, n }));
  if (stage === 0) submit(w, jobId, plan.nodes);
  else if (stage === 1) for (const t of tasks) w.started(jobId, t.task, t.n);
  else if (stage === 2) {
    if (plan.outcome === 'stop') w.job(jobId, { type: 'StopJob', data: { by: 'user:u', reason: 'user' }, metadata: { now: T0 } });
    else w.exited(jobId, tasks[0]!.task, tasks[0]!.n, plan.outcome === 'succeed' ? 0 : 1);
  } else if (stage === 3) {
    for (const t of tasks.slice(plan.outcome === 'stop' ? 0 : 1)) {
      const job = w.state.jobs.get(jobId)?.state;
      const status = !job || job.status === 'none' ? undefined : job.tasks.find((x) => x.name === t.task)?.status;
      if (status !== 'running') continue;
      const stopped = job!.status !== 'running';
      w.exited(jobId, t.task, t.n, stopped ? null : 0, stopped ? 'stopped' : 'exited');
    }
  }
}
