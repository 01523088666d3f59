import type { Algorithm, DataChannel } from '@trainyard/contracts';
import { shellQuote } from './shell-quote';
import { SpecError } from './spec-error';
import { channelPath } from './task-paths';

/** The algorithm cannot be turned into a command line: the job's spec is at fault (a `user-error` exit). */
export class BootCommandError extends SpecError {
  override readonly name = 'BootCommandError';
}

/** `[A-Za-z0-9_-]`, ≤ 64 (L2961). Checked again here because a name is written into a shell line unquoted. */
const ARG_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The shell command line of the `custom` launch method with a boot command (ch04-06 §3.2, L2851-2867):
 * `algorithm.command`, then ` --name=value` for each hyperparameter and each input/output read as a
 * parameter, whose value is its path. Every value is single-quoted, so no value can add shell syntax;
 * the user's own command is shell text by design and is left as written. The other launch methods
 * are in `launchers/`; they append the same arguments after the boot file.
 *
 * @example
 * bootCommand({ command: 'python train.py', parameters: [{ name: 'lr', value: '0.1' }] })
 * // "python train.py --lr='0.1'"
 */
export function bootCommand(algorithm: Algorithm): string {
  // The guide appends to the last command (L2851-2867); trailing blank lines would put the arguments on a line of their own.
  const command = algorithm.command?.trimEnd();
  if (!command) throw new BootCommandError('algorithm.command', 'invalid', "launch method 'custom' needs algorithm.command");
  return [command, ...bootArguments(algorithm)].join(' ');
}

/** `--name='value'` words in the order parameters, inputs, outputs. */
export function bootArguments(algorithm: Algorithm): string[] {
  return argumentPairs(algorithm).map(([name, value]) => `--${name}=${shellQuote(value)}`);
}

/**
 * The same arguments as argv words (`--name=value`, unquoted), for launchers that build an argv and
 * quote each word when they render it.
 */
export function userArguments(algorithm: Algorithm): string[] {
  return argumentPairs(algorithm).map(([name, value]) => `--${name}=${value}`);
}

function argumentPairs(algorithm: Algorithm): Array<[string, string]> {
  const asParameter = (c: DataChannel) => (c.accessMethod ?? 'parameter') === 'parameter';
  const pairs: Array<[string, string]> = [
    ...(algorithm.parameters ?? []).map((p): [string, string] => [p.name, p.value]),
    ...(algorithm.inputs ?? []).filter(asParameter).map((c): [string, string] => [c.name, channelPath(c)]),
    ...(algorithm.outputs ?? []).filter(asParameter).map((c): [string, string] => [c.name, channelPath(c)]),
  ];
  for (const [name, value] of pairs) {
    if (!ARG_NAME.test(name)) throw new BootCommandError('algorithm.parameters', 'invalid', `argument name ${JSON.stringify(name)} must match ${ARG_NAME}`);
    if (value.includes('\0')) throw new BootCommandError('algorithm.parameters', 'invalid', `value of --${name} contains a NUL character`);
  }
  return pairs;
}
