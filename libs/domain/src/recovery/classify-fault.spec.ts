import type { JobEventData } from '@trainyard/contracts';
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
});
