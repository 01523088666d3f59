import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyseFailure } from './analyse-failure';
import { pythonException } from './python-traceback';

/** A golden file of real launcher output (test/fixtures/launcher-output/README.md) as log lines. */
const golden = (name: string) =>
  readFileSync(join(__dirname, '../../../../test/fixtures/launcher-output', name), 'utf8').replace(/\n$/, '').split('\n').map((text, i) => ({ seq: i + 1, text }));

describe('failure analysis - a Python exception, with its traceback (issue 9)', () => {
  it('a rank\'s exception under torchrun: the script\'s traceback, not its peer\'s consequence nor torchrun\'s wrapper', () => {
    const a = analyseFailure(golden('torchrun-2node-exception-raised.stderr'));
    expect(a).toMatchObject({ rule: 'LF-TRACEBACK', hint: 'software', cause: 'the training script raised an exception: RuntimeError: loss is NaN at step 20' });
    expect(a!.evidence[0]!.text).toBe('Traceback (most recent call last):');
    expect(a!.evidence.at(-1)!.text).toBe('RuntimeError: loss is NaN at step 20');
    expect(a!.evidence.some((l) => l.text.includes('ddp.py'))).toBe(true);
  });

  it('torchrun with @record: the worker\'s traceback from the summary', () => {
    const found = pythonException(golden('torchrun-record-exception.stderr'));
    expect(found?.exception).toBe('ValueError: bad learning rate: -1');
    expect(found?.lines.some((l) => l.text.includes('/tmp/agent-tr/e.py'))).toBe(true);
  });

  it('only consequences of a peer\'s death: the peer rule, never "the script raised"', () => {
    expect(analyseFailure(golden('torchrun-2node-sigkill-peer.stderr'))).toMatchObject({ rule: 'LF-PEER-LOST' });
    expect(analyseFailure(golden('torchrun-2node-exception-peer.stderr'))).toMatchObject({ rule: 'LF-PEER-LOST' });
    // The killed rank's node: its peer rank failed in a collective, the killed one printed nothing.
    expect(analyseFailure(golden('torchrun-2node-sigkill-killed.stderr'))).toMatchObject({ rule: 'LF-PEER-LOST' });
  });

  it('mpirun: a rank\'s exception before MPI_ABORT', () => {
    expect(analyseFailure(golden('mpirun-abort.stderr'))).toMatchObject({ rule: 'LF-TRACEBACK', cause: 'the training script raised an exception: ValueError: bad input shape' });
  });

  it('a bare exception line counts; ordinary lines do not', () => {
    expect(pythonException([{ seq: 1, text: 'KeyError: \'lr\'' }])).toEqual({ exception: 'KeyError: \'lr\'', lines: [{ seq: 1, text: 'KeyError: \'lr\'' }] });
    expect(pythonException([{ seq: 1, text: 'epoch=1 loss=0.5' }, { seq: 2, text: 'Errors: none' }])).toBeUndefined();
  });
});
