import { describe, expect, it } from 'vitest';
import { jobFlow } from './job-flow';

let seq = 0;
const e = (type: string, data: any = {}) => ({ seq: ++seq, type, time: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(), message: type, messageZh: type, data });

describe('job flow', () => {
  it("job flow - the guide's four stages, steps in order, the stage reached", () => {
    const [r] = jobFlow([
      e('JobCreated'), e('JobQueued', { priority: 1 }), e('JobScheduled'), e('TaskPrecheckCompleted'), e('JobStarted'), e('TaskStarted'),
      e('TaskExited', { exitCode: 0 }), e('JobSucceeded'),
    ]);
    expect(Object.fromEntries(Object.entries(r.stages).map(([k, v]) => [k, v.map((s) => s.type)]))).toEqual({
      scheduling: ['JobCreated', 'JobQueued', 'JobScheduled'],
      preparing: ['TaskPrecheckCompleted'],
      running: ['JobStarted', 'TaskStarted', 'TaskExited'],
      ended: ['JobSucceeded'],
    });
    expect(r.current).toBe('ended');
    expect(r.stages.running.some((s) => s.bad)).toBe(false);
  });

  it('job flow - a re-queue after a run starts a new record; failures are marked', () => {
    const records = jobFlow([
      e('JobCreated'), e('JobQueued'), e('JobScheduled'), e('JobStarted'), e('TaskExited', { exitCode: 137 }),
      e('RecoveryDecided'), e('JobQueued', { requeue: 'fault-recovery' }), e('JobScheduled'), e('TaskPrecheckError'),
    ]);
    expect(records.map((r) => [r.run, r.current])).toEqual([[1, 'running'], [2, 'preparing']]);
    expect(records[0].stages.running.find((s) => s.type === 'TaskExited')!.bad).toBe(true);
    expect(records[1].stages.preparing[0].bad).toBe(true);
  });
});
