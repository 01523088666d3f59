import { event, type JobEvent } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { T1, aSpec, runningHistory } from '@trainyard/testing/domain';
import { fold } from '../decider';
import { activeTasks, tasksHoldingNodes } from './training-job';
import { trainingJobDecider } from './training-job.decide';

const T2 = '2026-03-13T10:02:00.000Z';
const stateAfter = (...more: JobEvent[]) => fold(trainingJobDecider, [...runningHistory(aSpec({ nodeCount: 2 })), ...more]);
const names = (ts: { name: string; nodeId?: string }[]) => ts.map((t) => `${t.name}@${t.nodeId}`);
const failed = event('TaskExited', T1, { task: 'worker-0', attempt: 1, nodeId: 'node-0', exitCode: 1, signal: null, reason: 'exited' as const });

describe('tasksHoldingNodes: what a job holds of its nodes', () => {
  it('a running job keeps the node of a worker that failed until the fault manager decides (in-place restarts there)', () => {
    const s = stateAfter(failed);
    expect(names(activeTasks(s))).toEqual(['worker-1@node-1']);
    expect(names(tasksHoldingNodes(s))).toEqual(['worker-0@node-0', 'worker-1@node-1']);
    const restarted = stateAfter(failed, event('JobRestarted', T2, { attempt: 1, mode: 'in-place', tasks: ['worker-0', 'worker-1'], restarts: { current: 0, max: 3 } }));
    expect(names(tasksHoldingNodes(restarted))).toEqual(['worker-0@node-0', 'worker-1@node-1']);
  });

  it('lets go when the job ends, or when a pod move takes the task off its node', () => {
    const ended = stateAfter(failed, event('JobFailed', T2, { attempt: 1, reason: 'worker-0 failed' }));
    expect(names(tasksHoldingNodes(ended))).toEqual(['worker-1@node-1']); // still running until its stop is reported
    const moved = stateAfter(failed, event('JobRestarted', T2, { attempt: 1, mode: 'pod', tasks: ['worker-0'], restarts: { current: 0, max: 3 } }));
    expect(names(tasksHoldingNodes(moved)).filter((t) => t.startsWith('worker-0'))).toEqual([]);
  });

  it('a job that is being stopped holds only what still runs', () => {
    const stopping = stateAfter(failed, event('JobStopRequested', T2, { by: 'user:ada', reason: 'user' as const }));
    expect(names(tasksHoldingNodes(stopping))).toEqual(['worker-1@node-1']);
  });
});
