import type { FaultKind } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyExit } from '../recovery/classify-fault';
import { countsAgainstNode, crossJobVerdict, emptyFaultCase, recordNodeFailure, type NodeFailure } from './node-fault-case';

const opts = { windowMs: 30 * 60_000, distinctJobs: 3 };
const t0 = Date.parse('2026-03-13T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000).toISOString();

/** Faults of the job, not of the node: what bad submissions and buggy scripts produce. */
const jobsOwnFault = fc.oneof(
  fc.record({ kind: fc.constant<FaultKind>('user-error'), code: fc.constantFrom('not-found', 'not-a-directory', 'command-not-found', 'exit 127', 'exit 126', 'image-unavailable') }),
  fc.record({ kind: fc.constant<FaultKind>('non-zero-exit'), code: fc.integer({ min: 1, max: 125 }).map((n) => `exit ${n}`) }),
  fc.record({ kind: fc.constant<FaultKind>('user-induced'), code: fc.constantFrom('80C98002', '80CB8002') }),
  fc.record({ kind: fc.constant<FaultKind>('evicted'), code: fc.constant('stopped') }),
);

describe('node fault case - only the node\'s own faults count (issue 9)', () => {
  it('any number of the jobs\' own faults, across any number of jobs and tasks, never isolates a node', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.constantFrom('worker-0', 'worker-1'), jobsOwnFault), { maxLength: 200 }), (failures) => {
        let c = emptyFaultCase('n1');
        failures.forEach(([job, task, f], i) => {
          c = recordNodeFailure(c, { jobId: `j${job}`, task, at: at(i), ...f }, opts);
        });
        expect(c.failures).toEqual([]);
        expect(crossJobVerdict(c, at(failures.length), opts).isolate).toBe(false);
      }),
    );
  });

  it('three jobs whose processes the node killed (or whose devices failed) isolate it, whatever came between', () => {
    const nodeFault = fc.record({
      kind: fc.constantFrom<FaultKind>('process-killed', 'hardware', 'self-healable', 'preflight-hardware', 'preflight-environment'),
      code: fc.constantFrom('SIGKILL', 'SIGSEGV', 'gpu-check', 'dns', 'log'),
    });
    fc.assert(
      fc.property(fc.array(jobsOwnFault, { maxLength: 30 }), fc.tuple(nodeFault, nodeFault, nodeFault), (noise, [a, b, c3]) => {
        let c = emptyFaultCase('n1');
        const events: Omit<NodeFailure, 'at'>[] = [
          ...noise.map((f, i) => ({ jobId: `noise-${i}`, task: 'worker-0', ...f })),
          { jobId: 'a', task: 'worker-0', ...a },
          { jobId: 'b', task: 'worker-1', ...b },
          { jobId: 'c', task: 'worker-0', ...c3 },
        ];
        events.forEach((f, i) => (c = recordNodeFailure(c, { ...f, at: at(i) }, opts)));
        expect(crossJobVerdict(c, at(events.length), opts)).toMatchObject({ isolate: true, jobs: ['a', 'b', 'c'] });
      }),
    );
  });

  it('the classification of a user error found before launch, or a command not found, is never counted', () => {
    const exits = [
      { reason: 'user-error' as const, exitCode: null, userError: { field: 'algorithm.codeDir', code: 'not-found' as const, message: 'code dir ../../etc/passwd is not a directory on this node' } },
      { reason: 'exited' as const, exitCode: 127 },
      { reason: 'exited' as const, exitCode: 126 },
      { reason: 'exited' as const, exitCode: 1 },
    ];
    for (const e of exits) {
      const f = classifyExit({ exit: { task: 'worker-0', attempt: 1, nodeId: 'n1', ...e } });
      expect(countsAgainstNode(f), JSON.stringify(e)).toBe(false);
    }
    // The agent's own failures and killed processes do count.
    expect(countsAgainstNode(classifyExit({ exit: { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, reason: 'launch-failed' } }))).toBe(true);
    expect(countsAgainstNode(classifyExit({ exit: { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, signal: 'SIGKILL', reason: 'exited' } }))).toBe(true);
  });
});
