import { ErrorCode, type JobEvent, type TaskExitReason } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../decider';
import { aSpec, placementsFor } from '@trainyard/testing/domain';
import { isEnded, isTerminal, type JobStatus } from './job-status';
import { tasksToStop, type TrainingJob } from './training-job';
import { trainingJobDecider, type TrainingJobCommand } from './training-job.decide';

/**
 * Safety properties of the training-job decider over arbitrary command sequences. Commands are drawn
 * without looking at the state (as a confused or racing world would send them); weights keep enough
 * of them plausible that jobs get through every state.
 */

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));
const OUTCOMES = new Set<JobEvent['type']>(['JobSucceeded', 'JobFailed', 'JobAbnormal', 'JobTerminated']);

type Draft = Omit<TrainingJobCommand, 'metadata'>;

const commandArb = (n: number): fc.Arbitrary<Draft> => {
  const task = fc.oneof({ arbitrary: fc.integer({ min: 0, max: n - 1 }), weight: 9 }, { arbitrary: fc.constant(n), weight: 1 });
  const attempt = fc.oneof({ arbitrary: fc.constant(1), weight: 8 }, { arbitrary: fc.constantFrom(0, 2), weight: 1 });
  const wrongNode = fc.oneof({ arbitrary: fc.constant(false), weight: 9 }, { arbitrary: fc.constant(true), weight: 1 });
  const nodeOf = (i: number, wrong: boolean) => (wrong ? 'node-x' : `node-${i}`);
  const exitCode = fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, { arbitrary: fc.constantFrom(1, 137, null), weight: 1 });
  const reason = fc.oneof(
    { arbitrary: fc.constant<TaskExitReason>('exited'), weight: 6 },
    { arbitrary: fc.constantFrom<TaskExitReason>('stopped', 'lost', 'launch-failed'), weight: 1 },
  );
  return fc.oneof(
    { arbitrary: fc.record({ p3: fc.boolean(), perm: fc.boolean(), preemptible: fc.boolean() }).map(({ p3, perm, preemptible }) => ({
      type: 'SubmitJob' as const,
      data: { jobId: 'j1', spec: aSpec({ nodeCount: n, preemptible, ...(p3 ? { priority: 3 } : {}) }), createdBy: 'user:ada', permissions: perm ? ['job:setHighPriority'] : [] },
    })), weight: 1 },
    { arbitrary: fc.record({ byPriority: fc.integer({ min: 1, max: 3 }), minRunMs: fc.constantFrom(0, 3_600_000) }).map((d) => ({
      type: 'PreemptJob' as const,
      data: { by: 'j2', graceMs: 1000, ...d },
    })), weight: 3 },
    { arbitrary: fc.constantFrom(0, 3_600_000).map((limitMs) => ({ type: 'FailRequeuedJob' as const, data: { limitMs } })), weight: 1 },
    { arbitrary: fc.constantFrom(0, 3_600_000).map((limitMs) => ({ type: 'TimeOutPreparation' as const, data: { limitMs } })), weight: 1 },
    { arbitrary: fc.constantFrom('INSUFFICIENT_RESOURCES', 'BEHIND_IN_QUEUE').map((code) => ({
      type: 'RecordWaitReason' as const,
      data: { reason: { code, position: 1 } },
    })), weight: 1 },
    { arbitrary: fc.boolean().map((complete) => ({
      type: 'ScheduleJob' as const,
      data: { placements: complete ? placementsFor(n) : placementsFor(n).slice(1) },
    })), weight: 10 },
    { arbitrary: fc.record({ i: task, attempt, wrong: wrongNode, procStartCount: fc.integer({ min: 1, max: 3 }) }).map(({ i, attempt, wrong, procStartCount }) => ({
      type: 'ReportTaskStarted' as const,
      data: { task: `worker-${i}`, attempt, nodeId: nodeOf(i, wrong), procStartCount },
    })), weight: 40 },
    { arbitrary: fc.record({ i: task, attempt, wrong: wrongNode, exitCode, reason }).map(({ i, attempt, wrong, exitCode, reason }) => ({
      type: 'ReportTaskExited' as const,
      data: { task: `worker-${i}`, attempt, nodeId: nodeOf(i, wrong), exitCode, reason },
    })), weight: 40 },
    { arbitrary: fc.constantFrom(
      { by: 'user:ada', reason: 'user' as const },
      { by: 'scheduler', reason: 'max-run-time' as const, maxRunHours: 2 },
      { by: 'scheduler', reason: 'max-run-time' as const },
    ).map((data) => ({ type: 'StopJob' as const, data })), weight: 2 },
    { arbitrary: fc.constant({ type: 'DeleteJob' as const, data: { by: 'user:ada' } }), weight: 2 },
    { arbitrary: fc.record({ to: fc.integer({ min: 0, max: 4 }), perm: fc.boolean() }).map(({ to, perm }) => ({
      type: 'ChangePriority' as const,
      data: { to, by: 'user:ada', permissions: perm ? ['job:setHighPriority'] : [] },
    })), weight: 2 },
    { arbitrary: fc.constant({ type: 'DeclareJobAbnormal' as const, data: { reason: 'node lost', by: 'fault-manager' } }), weight: 1 },
  ) as fc.Arbitrary<Draft>;
};

/** A job size, then a submit (usually) followed by a command sequence. */
const scenarioArb = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    submitFirst: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
    commands: fc.array(commandArb(n), { minLength: 5, maxLength: 60, size: 'max' }),
  }),
);

const at = (i: number) => `2026-03-13T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

interface Step {
  command: TrainingJobCommand;
  before: TrainingJob;
  events: JobEvent[];
  after: TrainingJob;
}

/** Runs the commands through decide/evolve, recording every step; states and events are frozen. */
function run(n: number, submitFirst: boolean, drafts: Draft[]) {
  const submit: Draft = { type: 'SubmitJob', data: { jobId: 'j1', spec: aSpec({ nodeCount: n, preemptible: true }), createdBy: 'user:ada' } };
  const commands = (submitFirst ? [submit, ...drafts] : drafts).map((d, i) => ({ ...d, metadata: { now: at(i) } }) as TrainingJobCommand);
  let state = deepFreeze(trainingJobDecider.initialState());
  const history: JobEvent[] = [];
  const statuses: JobStatus[] = [state.status];
  const steps: Step[] = [];
  for (const command of commands) {
    const before = state;
    const decision = trainingJobDecider.decide(command, before);
    // Decisions are deterministic.
    expect(trainingJobDecider.decide(command, before)).toEqual(decision);
    if (!decision.ok) {
      expect(ERROR_CODES.has(decision.rejection.code)).toBe(true);
      continue;
    }
    for (const e of decision.events) {
      expect(e.time).toBe(command.metadata.now);
      state = deepFreeze(trainingJobDecider.evolve(state, deepFreeze(e)));
      history.push(e);
      statuses.push(state.status);
    }
    steps.push({ command, before, events: decision.events, after: state });
  }
  return { state, history, statuses, steps };
}

const prop = (check: (r: ReturnType<typeof run>) => void) =>
  fc.assert(fc.property(scenarioArb, ({ n, submitFirst, commands }) => check(run(n, submitFirst, commands))), { numRuns: 400 });

describe('training job - properties', () => {
  it('(a) an outcome state never goes back to a live one, except on through delete', () => {
    prop(({ statuses }) => {
      for (let i = 1; i < statuses.length; i++) {
        const [prev, next] = [statuses[i - 1], statuses[i]];
        if (isTerminal(prev)) expect([prev, 'deleting']).toContain(next);
        if (prev === 'deleting') expect(['deleting', 'deleted']).toContain(next);
        if (prev === 'deleted') expect(next).toBe('deleted');
        if (isEnded(prev)) expect(isEnded(next)).toBe(true);
      }
    });
  });

  it('(b) a job has at most one outcome event', () => {
    prop(({ history }) => {
      expect(history.filter((e) => OUTCOMES.has(e.type)).length).toBeLessThanOrEqual(1);
    });
  });

  it('(c) replaying the produced events (also through JSON) yields the state the decider saw', () => {
    prop(({ state, history, steps }) => {
      expect(fold(trainingJobDecider, history)).toEqual(state);
      expect(fold(trainingJobDecider, JSON.parse(JSON.stringify(history)))).toEqual(JSON.parse(JSON.stringify(state)));
      let seen = 0;
      for (const step of steps) {
        expect(fold(trainingJobDecider, history.slice(0, seen))).toEqual(step.before);
        seen += step.events.length;
      }
    });
  });

  it('(d) JobSucceeded only when every task of the attempt exited 0', () => {
    prop(({ history }) => {
      const created = history.find((e) => e.type === 'JobCreated');
      history.forEach((e, i) => {
        if (e.type !== 'JobSucceeded') return;
        const lastExit = new Map<string, JobEvent>();
        for (const x of history.slice(0, i)) if (x.type === 'TaskExited' && x.data.attempt === e.data.attempt) lastExit.set(x.data.task, x);
        for (const task of created!.type === 'JobCreated' ? created!.data.tasks : []) {
          const x = lastExit.get(task);
          expect(x?.type === 'TaskExited' && x.data.reason === 'exited' && x.data.exitCode === 0).toBe(true);
        }
      });
    });
  });

  it('an accepted task report, delivered again, changes nothing', () => {
    prop(({ steps }) => {
      for (const { command, after } of steps) {
        if (command.type !== 'ReportTaskStarted' && command.type !== 'ReportTaskExited') continue;
        expect(trainingJobDecider.decide(command, after)).toEqual({ ok: true, events: [] });
      }
    });
  });

  it('JobTerminated only follows a stop request, and tasks to stop exist only once the job is stopping or over', () => {
    prop(({ history, steps }) => {
      const stopAt = history.findIndex((e) => e.type === 'JobStopRequested');
      const terminatedAt = history.findIndex((e) => e.type === 'JobTerminated');
      if (terminatedAt >= 0) expect(stopAt).toBeGreaterThanOrEqual(0);
      if (terminatedAt >= 0) expect(stopAt).toBeLessThan(terminatedAt);
      for (const { after } of steps) {
        if (tasksToStop(after).length) expect(after.status === 'terminating' || isEnded(after.status)).toBe(true);
      }
    });
  });

  it('a preempted job is queued again only once no task of the attempt is active, and never while dispatched', () => {
    prop(({ steps }) => {
      for (const { before, events, after } of steps) {
        if (!events.some((e) => e.type === 'JobQueued' && e.data.requeue)) continue;
        expect(before.status === 'terminating' || before.status === 'running' || before.status === 'waiting').toBe(true);
        expect(after.status).toBe('waiting');
        expect(after.status !== 'none' && after.dispatched).toBe(false);
        expect(tasksToStop(after)).toEqual([]);
        expect(after.status !== 'none' && after.tasks.some((t) => t.status === 'assigned' || t.status === 'running')).toBe(false);
      }
    });
  });

  it('the generator re-queues preempted jobs (guards the property above against a vacuous run)', () => {
    let requeues = 0;
    fc.assert(
      fc.property(scenarioArb, ({ n, submitFirst, commands }) => {
        requeues += run(n, submitFirst, commands).history.filter((e) => e.type === 'JobQueued' && e.data.requeue).length;
      }),
      { numRuns: 400, seed: 42 },
    );
    expect(requeues).toBeGreaterThan(0);
  });

  it('the generator reaches every state (guards the properties against a vacuous run)', () => {
    const reached = new Set<JobStatus>();
    fc.assert(
      fc.property(scenarioArb, ({ n, submitFirst, commands }) => {
        for (const s of run(n, submitFirst, commands).statuses) reached.add(s);
      }),
      { numRuns: 400, seed: 42 },
    );
    expect([...reached].sort()).toEqual(
      ['abnormal', 'completed', 'creating', 'deleted', 'deleting', 'failed', 'none', 'running', 'terminated', 'terminating', 'waiting'].sort(),
    );
  });
});
