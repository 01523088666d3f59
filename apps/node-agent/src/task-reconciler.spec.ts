import { event } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { anAssignment } from './assignment.fixture';
import { applyNodeEvent, exitReason, type LocalTask, orderStop, reconcile, releaseVerdict, taskKey } from './task-reconciler';

const t = '2026-03-13T10:00:00Z';
const a = anAssignment();
const key = taskKey(a);
const assigned = event('TaskAssigned', t, a);
const stopReq = event('TaskStopRequested', t, { jobId: a.jobId, task: a.task, attempt: a.attempt, graceMs: 500, reason: 'user' });
const local = (entries: Record<string, LocalTask> = {}) => new Map(Object.entries(entries));

describe('task reconciler', () => {
  it('task reconciler - a new assignment is launched', () => {
    const desired = applyNodeEvent(new Map(), assigned);
    expect(reconcile(desired, local())).toEqual([{ kind: 'launch', key, assignment: a }]);
  });

  it('task reconciler - a redelivered assignment launches nothing twice', () => {
    const desired = applyNodeEvent(applyNodeEvent(new Map(), assigned), assigned);
    expect(desired.size).toBe(1);
    expect(reconcile(desired, local({ [key]: { phase: 'running', startReported: true } }))).toEqual([]);
    expect(reconcile(desired, local({ [key]: { phase: 'exited', startReported: true } }))).toEqual([]);
  });

  it('task reconciler - a running task whose start was not yet reported is reported again', () => {
    const desired = applyNodeEvent(new Map(), assigned);
    expect(reconcile(desired, local({ [key]: { phase: 'running', startReported: false } }))).toEqual([{ kind: 'report-started', key }]);
  });

  it('task reconciler - a stop request stops a running task with its grace period, once', () => {
    const desired = applyNodeEvent(applyNodeEvent(new Map(), assigned), stopReq);
    expect(reconcile(desired, local({ [key]: { phase: 'running', startReported: true } }))).toEqual([
      { kind: 'stop', key, graceMs: 500, reason: 'user' },
    ]);
    expect(reconcile(desired, local({ [key]: { phase: 'stopping', startReported: true } }))).toEqual([]);
  });

  it('task reconciler - the start is reported before the stop', () => {
    const desired = applyNodeEvent(applyNodeEvent(new Map(), assigned), stopReq);
    expect(reconcile(desired, local({ [key]: { phase: 'running', startReported: false } })).map((x) => x.kind)).toEqual(['report-started', 'stop']);
  });

  it('task reconciler - stopped before launch: never started, skipped', () => {
    const desired = applyNodeEvent(applyNodeEvent(new Map(), assigned), stopReq);
    expect(reconcile(desired, local())).toEqual([{ kind: 'skip', key, assignment: a, reason: 'user' }]);
  });

  it('task reconciler - a stop for an attempt never assigned here is ignored', () => {
    expect(applyNodeEvent(new Map(), stopReq).size).toBe(0);
  });

  it('task reconciler - the first stop order wins; later ones change nothing', () => {
    const once = orderStop(applyNodeEvent(new Map(), assigned), key, { graceMs: 1, reason: 'job-not-active' });
    const twice = applyNodeEvent(once, stopReq);
    expect(twice.get(key)!.stop).toEqual({ graceMs: 1, reason: 'job-not-active' });
  });

  it('task reconciler - only the keys asked about are reconciled', () => {
    const other = anAssignment({ jobId: 'job-2' });
    const desired = applyNodeEvent(applyNodeEvent(new Map(), assigned), event('TaskAssigned', t, other));
    expect(reconcile(desired, local(), [taskKey(other)])).toEqual([{ kind: 'launch', key: taskKey(other), assignment: other }]);
  });

  it('task reconciler - exit reason: stopped when a stop was ordered, lost when the agent goes away, else exited', () => {
    const d = applyNodeEvent(new Map(), assigned).get(key)!;
    expect(exitReason(d, false)).toBe('exited');
    expect(exitReason(d, true)).toBe('lost');
    expect(exitReason({ ...d, stop: { graceMs: 1, reason: 'user' } }, true)).toBe('stopped');
  });
});

describe('task reconciler - a released attempt (issue 19)', () => {
  it('is forgotten when over, stopped when still running, forgotten after the exit when stopping', () => {
    expect(releaseVerdict(undefined)).toBe('forget');
    expect(releaseVerdict({ phase: 'exited', startReported: true })).toBe('forget');
    expect(releaseVerdict({ phase: 'running', startReported: true })).toBe('stop');
    expect(releaseVerdict({ phase: 'stopping', startReported: true })).toBe('forget-after-exit');
  });

  it('changes nothing in the desired set by itself (the lifecycle acts on the verdict)', () => {
    const desired = applyNodeEvent(new Map(), assigned);
    expect(applyNodeEvent(desired, event('TaskReleased', t, { jobId: a.jobId, task: a.task, attempt: a.attempt }))).toEqual(desired);
  });
});
