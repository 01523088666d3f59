import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainExit } from './exit-analysis';
import { OutputTail } from './output-tail';

const golden = (name: string) => readFileSync(join(__dirname, '../../../test/fixtures/launcher-output', name), 'utf8').replace(/\n$/, '').split('\n');
const failed = (exitCode: number | null, signal: NodeJS.Signals | null = null) => ({ exitCode, signal });

describe('exit analysis - a failed exit explained from the task\'s last lines (issue 9)', () => {
  it('torchrun: its failure summary becomes the launcher report', () => {
    const e = explainExit('torchrun', {}, failed(1), golden('torchrun-2node-sigkill-killed.stderr'));
    expect(e.launcher?.failures.find((w) => w.signal)).toMatchObject({ rank: 3, signal: 'SIGKILL' });
    expect(e.userError).toBeUndefined();
  });

  it('a command not found, in dash\'s words under the supervisor or bash\'s: a user error naming algorithm.command', () => {
    expect(explainExit('command', { command: 'trian.sh' }, failed(127), ['/w/launches/j.worker-0.1.run/exited: 2: trian.sh: not found'])).toEqual({
      userError: { field: 'algorithm.command', code: 'command-not-found', message: '/w/launches/j.worker-0.1.run/exited: 2: trian.sh: not found (exit 127)' },
    });
    expect(explainExit('command', { command: 'x' }, failed(127), ['bash: trian.sh: command not found']).userError?.code).toBe('command-not-found');
    // A PATH with a dir the task's user cannot enter: dash says "Permission denied", still with 127.
    expect(explainExit('command', { command: 'trian.sh' }, failed(127), ['/w/run/exited: 2: trian.sh: Permission denied']).userError?.code).toBe('command-not-found');
    expect(explainExit('command', { command: './x' }, failed(126), ['sh: 1: ./x: Permission denied']).userError).toMatchObject({ field: 'algorithm.command', code: 'not-executable' });
  });

  it('a preset framework\'s interpreter not found names the interpreter variable, else the engine', () => {
    const lines = ['/w/run/exited: 2: /opt/py/bin/python: not found'];
    expect(explainExit('boot-file', { environments: { MA_SCRIPT_INTERPRETER: '/opt/py/bin/python' } }, failed(127), lines).userError?.field).toBe('algorithm.environments.MA_SCRIPT_INTERPRETER');
    expect(explainExit('torchrun', {}, failed(127), ['/w/run/exited: 2: torchrun: not found']).userError?.field).toBe('algorithm.engine');
  });

  it('nothing to add: success, a signal, a plain non-zero exit, or a 127 the shell did not explain', () => {
    expect(explainExit('command', { command: 'x' }, failed(0), ['sh: 1: y: not found'])).toEqual({});
    expect(explainExit('torchrun', {}, failed(null, 'SIGKILL'), golden('torchrun-2node-sigkill-killed.stderr'))).toEqual({});
    expect(explainExit('command', { command: 'x' }, failed(3), ['epoch 1'])).toEqual({});
    expect(explainExit('command', { command: 'exit 127' }, failed(127), ['no such file'])).toEqual({});
  });

  it('the output tail keeps the last lines only, each bounded', () => {
    const t = new OutputTail(3, 5);
    for (const l of ['a', 'b', 'c', 'dddddddddd']) t.push('stdout', l);
    t.push('stderr', new TextEncoder().encode('e'));
    expect(t.get()).toEqual(['c', 'ddddd', 'e']);
  });
});
