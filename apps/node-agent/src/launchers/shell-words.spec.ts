import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderArgv, shellWord, splitWords } from './shell-words';

describe('shell words', () => {
  it('shell words - plain words stay bare, others are quoted', () => {
    expect(renderArgv(['torchrun', '--nnodes=2', '--master_addr=10.0.0.5', '/a/b.py'])).toBe('torchrun --nnodes=2 --master_addr=10.0.0.5 /a/b.py');
    expect(shellWord('^openib')).toBe("'^openib'");
    expect(shellWord('')).toBe("''");
  });
  it('shell words - /bin/sh reads any argv back unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !s.includes('\0')), { maxLength: 5 }), (argv) => {
        const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${renderArgv(argv)}`], { encoding: 'utf8' });
        expect(argv.length === 0 ? '' : r.stdout).toBe(argv.map((w) => `${w}\0`).join(''));
      }),
      { numRuns: 50 },
    );
  });
  it('shell words - a knob splits at blanks like an unquoted ${VAR}, quotes are not processed (L384)', () =>
    expect(splitWords(' --a=1\t--b "c d" ')).toEqual(['--a=1', '--b', '"c', 'd"']));
});
