import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BootCommandError, bootCommand, userArguments } from './boot-command';
import { shellQuote } from './shell-quote';

/** Runs a line through the real /bin/sh and returns its stdout. */
const sh = (line: string) => {
  const r = spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sh failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};

// Any code point but NUL (an argv string cannot hold one; shellQuote rejects it).
const shellValue = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
const nasty = fc.constantFrom("'", '"', '$(id)', '`id`', '\\', '\n', ';rm -rf /', "'\\''", '$HOME', '*', '&&', '|', '#', ' ', '');
const value = fc.oneof(shellValue, fc.array(nasty, { maxLength: 6 }).map((parts) => parts.join('')));

describe('shell quote', () => {
  it('shell quote - /bin/sh reads any value back unchanged', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(sh(`printf "%s\\n" ${shellQuote(v)}`)).toBe(`${v}\n`);
      }),
    );
  });
  it('shell quote - a NUL is rejected, not truncated', () => expect(() => shellQuote('a\0b')).toThrow(RangeError));
});

describe('boot command', () => {
  it('boot command - hyperparameters are appended as --name=value (L2851-2867)', () =>
    expect(bootCommand({ command: 'python train.py', parameters: [{ name: 'data_url', value: '/input' }] })).toBe(
      "python train.py --data_url='/input'",
    ));
  it('boot command - order is parameters, inputs, outputs; channels pass their path (L1577-1592)', () =>
    expect(
      bootCommand({
        command: 'python ${MA_JOB_DIR}/code/train.py',
        parameters: [{ name: 'epochs', value: '2' }],
        inputs: [{ name: 'data_url', path: '/srv/data' }, { name: 'env_in', path: '/x', accessMethod: 'env' }],
        outputs: [{ name: 'train_url', path: '/srv/out', accessMethod: 'parameter' }],
      }),
    ).toBe("python ${MA_JOB_DIR}/code/train.py --epochs='2' --data_url='/srv/data' --train_url='/srv/out'"));
  it('boot command - without arguments the command is run as written (L1482-1500)', () =>
    expect(bootCommand({ command: 'bash ${MA_JOB_DIR}/demo-code/main.sh' })).toBe('bash ${MA_JOB_DIR}/demo-code/main.sh'));
  it('boot command - trailing blank lines do not detach the arguments from the last command (L2851-2867)', () =>
    expect(bootCommand({ command: 'cd x && python t.py\n\n  ', parameters: [{ name: 'a', value: 'b' }] })).toBe(
      "cd x && python t.py --a='b'",
    ));
  it('boot command - /bin/sh passes every parameter to the script unchanged, whatever its value', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 4 }), (values) => {
        const parameters = values.map((v, i) => ({ name: `p${i}`, value: v }));
        const out = sh(bootCommand({ command: `printf '%s\\0'`, parameters }));
        expect(parameters.length === 0 ? '' : out).toBe(parameters.map((p) => `--${p.name}=${p.value}\0`).join(''));
      }),
      { numRuns: 50 },
    );
  });
  it('boot command - launchers get the same arguments unquoted, as argv words (L2851-2867)', () =>
    expect(
      userArguments({ parameters: [{ name: 'lr', value: "it's 0.1" }], outputs: [{ name: 'train_url', path: '/srv/o' }] }),
    ).toEqual(["--lr=it's 0.1", '--train_url=/srv/o']));
  it('boot command - custom without a command is rejected', () =>
    expect(() => bootCommand({ command: '  ' })).toThrow(/needs algorithm.command/));
  it('boot command - an argument name that could inject shell syntax is rejected', () =>
    expect(() => bootCommand({ command: 'x', parameters: [{ name: 'a;id', value: '1' }] })).toThrow(BootCommandError));
});
