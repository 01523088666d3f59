import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyExit } from '@trainyard/domain';
import { launcherReport } from './launcher-report';
import { mpirunReport } from './mpirun-report';
import { torchrunReport } from './torchrun-report';

/** Real launcher output captured on this machine (test/fixtures/launcher-output/README.md). */
const golden = (name: string) => readFileSync(join(__dirname, '../../../../test/fixtures/launcher-output', name), 'utf8').replace(/\n$/, '').split('\n');

describe('torchrun report - its failure summary, from real torch 1.13 output', () => {
  it('the killed rank\'s node: the SIGKILLed rank is listed although torchrun names a peer the root cause', () => {
    expect(torchrunReport(golden('torchrun-2node-sigkill-killed.stderr'))).toEqual({
      launcher: 'torchrun',
      failures: [
        { rank: 2, localRank: 0, pid: 6781, host: 'localhost', exitCode: 1 },
        { rank: 3, localRank: 1, pid: 6783, host: 'localhost', exitCode: null, signal: 'SIGKILL' },
      ],
    });
  });

  it('the other node: both ranks failed in their collective (exit 1, no traceback without @record)', () => {
    const r = torchrunReport(golden('torchrun-2node-sigkill-peer.stderr'));
    expect(r?.failures.map((w) => [w.rank, w.localRank, w.exitCode, w.signal])).toEqual([
      [0, 0, 1, undefined],
      [1, 1, 1, undefined],
    ]);
  });

  it('--standalone, the killed rank is the root cause; "<NO_OTHER_FAILURES>" adds none', () => {
    expect(torchrunReport(golden('torchrun-standalone-sigkill.stderr'))?.failures).toEqual([{ rank: 1, localRank: 1, pid: 15060, host: 'localhost', exitCode: null, signal: 'SIGKILL' }]);
  });

  it('with @record the worker\'s traceback and message come from the summary', () => {
    const [w] = torchrunReport(golden('torchrun-record-exception.stderr'))!.failures;
    expect(w).toMatchObject({ rank: 1, localRank: 1, exitCode: 1, message: 'ValueError: bad learning rate: -1' });
    expect(w!.traceback!.split('\n')[0]).toBe('Traceback (most recent call last):');
    expect(w!.traceback).toContain('File "/tmp/agent-tr/e.py", line 7, in main');
  });

  it('no summary, no report: torchrun crashing in its own argument handling (Python 3.11), or plain output', () => {
    expect(torchrunReport(golden('torchrun-py311-default-redirects.stderr'))).toBeUndefined();
    expect(torchrunReport(['[default0]:epoch=1 loss=0.2'])).toBeUndefined();
  });

  it('classified: the killed rank\'s task is a killed process (recovered in place), its peers\' a non-zero exit', () => {
    const exit = (name: string) => ({ task: 'worker-1', attempt: 1, nodeId: 'n2', exitCode: 1, reason: 'exited' as const, launcher: launcherReport('torchrun', golden(name)) });
    expect(classifyExit({ exit: exit('torchrun-2node-sigkill-killed.stderr') })).toMatchObject({ kind: 'process-killed', code: 'SIGKILL' });
    expect(classifyExit({ exit: exit('torchrun-2node-sigkill-peer.stderr') })).toMatchObject({ kind: 'non-zero-exit', code: 'exit 1' });
    expect(classifyExit({ exit: exit('torchrun-2node-exception-raised.stderr') })).toMatchObject({ kind: 'non-zero-exit' });
  });

  it('property: whatever the job printed before it, only the last summary is read, and never throws', () => {
    const summary = golden('torchrun-standalone-sigkill.stderr');
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 40 }), (noise) => {
        expect(torchrunReport([...noise, ...summary])?.failures).toEqual([{ rank: 1, localRank: 1, pid: 15060, host: 'localhost', exitCode: null, signal: 'SIGKILL' }]);
        torchrunReport(noise);
      }),
    );
  });
});

describe('mpirun report - Open MPI\'s notices', () => {
  it('a rank killed by a signal (captured here)', () => {
    expect(mpirunReport(golden('mpirun-sigkill.stderr'))).toEqual({ launcher: 'mpirun', failures: [{ rank: 1, host: 'vm', exitCode: null, signal: 'SIGKILL' }] });
  });

  it('MPI_ABORT from a rank\'s exception (captured here)', () => {
    expect(mpirunReport(golden('mpirun-abort.stderr'))).toEqual({ launcher: 'mpirun', failures: [{ rank: 1, exitCode: 1 }] });
  });

  it('a non-zero exit, as help-orterun.txt [orterun:non-zero-exit] words it (not printable on this machine)', () => {
    const lines = [
      'mpirun detected that one or more processes exited with non-zero status, thus causing',
      'the job to be terminated. The first process to do so was:',
      '',
      '  Process name: [[9508,1],1]',
      '  Exit code:    3',
    ];
    expect(mpirunReport(lines)).toEqual({ launcher: 'mpirun', failures: [{ rank: 1, exitCode: 3 }] });
    expect(launcherReport('msrun', lines)).toBeUndefined();
  });
});
