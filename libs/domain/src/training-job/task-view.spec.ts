import { event } from '@trainyard/contracts';
import { T1, scheduledHistory } from '@trainyard/testing/domain';
import { describe, expect, it } from 'vitest';
import { placedOn } from './task-view';

describe('placedOn - whether a node may hear about a task', () => {
  it('is true for the node a schedule or a pod move put the task on, and only for that task', () => {
    const h = scheduledHistory(); // worker-0 on node-0, worker-1 on node-1
    expect(placedOn(h, 'worker-0', 'node-0')).toBe(true);
    expect(placedOn(h, 'worker-0', 'node-1')).toBe(false);
    expect(placedOn(h, 'worker-9', 'node-0')).toBe(false);
    const moved = [...h, event('JobRestarted', T1, { attempt: 1, mode: 'pod' as const, tasks: ['worker-0'], restarts: { current: 1, max: 3 }, placements: [{ task: 'worker-0', index: 0, nodeId: 'node-7', host: '10.0.0.7' }] })];
    expect(placedOn(moved, 'worker-0', 'node-7')).toBe(true);
    // Once placed there, it stays a task the node has heard of (it must learn that it moved on).
    expect(placedOn(moved, 'worker-0', 'node-0')).toBe(true);
    expect(placedOn([], 'worker-0', 'node-0')).toBe(false);
  });
});
