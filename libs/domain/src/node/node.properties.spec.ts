import { ErrorCode, type NodeEvent, type TaskAssignment } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fold } from '../decider';
import type { NodeState } from './node';
import { nodeDecider, type NodeCommand } from './node.decide';

/** Properties of the node decider over arbitrary command sequences. */

const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

const assignment = (task: number, attempt: number, gpu: number): TaskAssignment => ({
  jobId: 'j1',
  jobName: 'hello',
  task: `worker-${task}`,
  index: task,
  attempt,
  scheduleCount: attempt,
  procStartCount: 1,
  algorithm: { command: 'true' },
  flavor: { cpu: 1, memoryMiB: 64, gpu },
  runtime: 'process',
  hosts: ['h'],
});

const commandArb: fc.Arbitrary<Omit<NodeCommand, 'metadata'>> = fc.oneof(
  fc.record({ gpu: fc.integer({ min: 0, max: 2 }), other: fc.boolean() }).map(({ gpu, other }) => ({
    type: 'RegisterNode' as const,
    data: { nodeId: other ? 'n2' : 'n1', host: 'h', pool: 'default', capacity: { cpu: 4, memoryMiB: 1024, gpu, npu: 0 }, labels: {} },
  })),
  fc.record({ task: fc.integer({ min: 0, max: 2 }), attempt: fc.integer({ min: 1, max: 3 }), gpu: fc.integer({ min: 0, max: 2 }) }).map(({ task, attempt, gpu }) => ({
    type: 'AssignTask' as const,
    data: { assignment: assignment(task, attempt, gpu) },
  })),
  fc.record({ task: fc.integer({ min: 0, max: 2 }), attempt: fc.integer({ min: 1, max: 3 }) }).map(({ task, attempt }) => ({
    type: 'RequestTaskStop' as const,
    data: { jobId: 'j1', task: `worker-${task}`, attempt, graceMs: 1000, reason: 'stop' },
  })),
);

describe('node - properties', () => {
  it('evolve is a fold, every rejection has a stable code, and an accepted command sent again changes nothing', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 30, size: 'max' }), (drafts) => {
        let state: NodeState = nodeDecider.initialState();
        const history: NodeEvent[] = [];
        drafts.forEach((draft, i) => {
          const command = { ...draft, metadata: { now: `2026-03-13T10:00:${String(i).padStart(2, '0')}.000Z` } } as NodeCommand;
          const d = nodeDecider.decide(command, state);
          if (!d.ok) return void expect(ERROR_CODES.has(d.rejection.code)).toBe(true);
          for (const e of d.events) state = nodeDecider.evolve(state, e);
          history.push(...d.events);
          expect(nodeDecider.decide(command, state)).toEqual({ ok: true, events: [] });
        });
        expect(fold(nodeDecider, history)).toEqual(state);
        expect(fold(nodeDecider, JSON.parse(JSON.stringify(history)))).toEqual(JSON.parse(JSON.stringify(state)));
      }),
      { numRuns: 300 },
    );
  });
});
