import type { JobEventData } from '@trainyard/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyExit } from './classify-fault';

const exit = (over: Partial<JobEventData['TaskExited']>): JobEventData['TaskExited'] => ({
  task: 'worker-0', attempt: 1, nodeId: 'n0', exitCode: 1, reason: 'exited', ...over,
});

describe('classifyExit - a failed exit as a fault kind', () => {
  it('signals and shell-encoded signals are killed processes', () => {
    expect(classifyExit({ exit: exit({ exitCode: null, signal: 'SIGKILL' }) })).toEqual({ kind: 'process-killed', task: 'worker-0', nodeId: 'n0', code: 'SIGKILL', hardware: false });
    expect(classifyExit({ exit: exit({ exitCode: 137 }) })).toMatchObject({ kind: 'process-killed', code: 'SIGKILL' });
  });

  it('a non-zero exit is a workload failure, unless the log points at the hardware', () => {
    expect(classifyExit({ exit: exit({ exitCode: 3 }) })).toMatchObject({ kind: 'non-zero-exit', code: 'exit 3', hardware: false });
    expect(classifyExit({ exit: exit({ exitCode: 3 }), hint: 'hardware' })).toMatchObject({ kind: 'hardware', hardware: true });
    expect(classifyExit({ exit: exit({ exitCode: 3 }), hint: 'software' })).toMatchObject({ kind: 'non-zero-exit' });
  });

  it('pre-check failures follow the item\'s hardware classification (scenarios 1 and 2)', () => {
    const e = exit({ exitCode: null, reason: 'precheck-failed' });
    expect(classifyExit({ exit: e, precheck: [{ item: 'disk-size shm', hardware: false }, { item: 'gpu-check', hardware: true }] })).toMatchObject({ kind: 'preflight-hardware', code: 'gpu-check', hardware: true });
    expect(classifyExit({ exit: e, precheck: [{ item: 'dns', hardware: false }] })).toMatchObject({ kind: 'preflight-environment', code: 'dns', hardware: false });
  });

  it('losses, drains, evictions and device faults', () => {
    expect(classifyExit({ exit: exit({ exitCode: null, reason: 'lost' }) })).toMatchObject({ kind: 'node-lost', hardware: true });
    expect(classifyExit({ exit: exit({ exitCode: null, reason: 'stopped' }), nodeDraining: true })).toMatchObject({ kind: 'node-drained' });
    expect(classifyExit({ exit: exit({ exitCode: null, reason: 'stopped' }) })).toMatchObject({ kind: 'evicted' });
    expect(classifyExit({ exit: exit({ fault: { kind: 'device', code: '80CB8002', hardware: true, message: 'x' } }) })).toMatchObject({ kind: 'user-induced', hardware: false });
    expect(classifyExit({ exit: exit({ fault: { kind: 'device', code: '80E01801', hardware: true, selfHealable: true, message: 'x' } }) })).toMatchObject({ kind: 'self-healable' });
    expect(classifyExit({ exit: exit({ fault: { kind: 'device', hardware: true, message: 'x' } }) })).toMatchObject({ kind: 'hardware', hardware: true });
    expect(classifyExit({ exit: exit({ fault: { kind: 'evicted', hardware: false, message: 'memory pressure' } }) })).toMatchObject({ kind: 'evicted' });
  });

  it('user errors are the job\'s: found before launch, or the shell\'s 126/127', () => {
    const userError = { field: 'algorithm.codeDir', code: 'not-found' as const, message: 'code dir /nope is not a directory on this node' };
    expect(classifyExit({ exit: exit({ exitCode: null, reason: 'user-error', userError }) })).toEqual({
      kind: 'user-error', task: 'worker-0', nodeId: 'n0', code: 'not-found', hardware: false, detail: 'algorithm.codeDir: code dir /nope is not a directory on this node',
    });
    expect(classifyExit({ exit: exit({ exitCode: 127 }) })).toMatchObject({ kind: 'user-error', code: 'exit 127', hardware: false });
    expect(classifyExit({ exit: exit({ exitCode: 126 }) })).toMatchObject({ kind: 'user-error', code: 'exit 126' });
    // A hardware fault in the log still wins: a driver that vanished can make a command "not found".
    expect(classifyExit({ exit: exit({ exitCode: 127 }), hint: 'hardware' })).toMatchObject({ kind: 'hardware' });
  });

  it('the launcher\'s report decides a launcher\'s exit 1: a worker killed by a signal is a killed process', () => {
    // torchrun on the killed rank's node names a peer its "root cause" and the killed rank under Failures.
    const launcher = {
      launcher: 'torchrun' as const,
      failures: [
        { rank: 2, localRank: 0, pid: 6782, host: 'localhost', exitCode: 1 },
        { rank: 3, localRank: 1, pid: 6783, host: 'localhost', exitCode: null, signal: 'SIGKILL' },
      ],
    };
    expect(classifyExit({ exit: exit({ exitCode: 1, launcher }) })).toEqual({
      kind: 'process-killed', task: 'worker-0', nodeId: 'n0', code: 'SIGKILL', hardware: false,
      detail: 'torchrun: rank 3 (local rank 1, pid 6783, on localhost) was killed by SIGKILL',
    });
    const raised = { launcher: 'torchrun' as const, failures: [{ rank: 1, exitCode: 1, message: 'ValueError: bad learning rate: -1' }] };
    expect(classifyExit({ exit: exit({ exitCode: 1, launcher: raised }) })).toMatchObject({ kind: 'non-zero-exit', code: 'exit 1', detail: 'torchrun: rank 1 exited with 1: ValueError: bad learning rate: -1' });
    // mpirun reports its ranks' signals as 128 + n.
    expect(classifyExit({ exit: exit({ exitCode: 1, launcher: { launcher: 'mpirun', failures: [{ rank: 1, exitCode: 137 }] } }) })).toMatchObject({ kind: 'process-killed', code: 'SIGKILL' });
  });

  it('property: a reported user error is always the job\'s, never hardware, whatever else the exit says', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('algorithm.codeDir', 'algorithm.bootFile', 'algorithm.workingDir', 'algorithm.image', 'algorithm.command'),
        fc.constantFrom('exited', 'launch-failed', 'user-error') as fc.Arbitrary<'exited' | 'launch-failed' | 'user-error'>,
        fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
        fc.option(fc.constantFrom('SIGKILL', 'SIGSEGV'), { nil: undefined }),
        (field, reason, exitCode, signal) => {
          const f = classifyExit({ exit: exit({ reason, exitCode, ...(signal ? { signal } : {}), userError: { field, code: 'not-found', message: 'missing' } }) });
          expect(f).toMatchObject({ kind: 'user-error', hardware: false });
          expect(f.detail).toContain(field);
        },
      ),
    );
  });
});
