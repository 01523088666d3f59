import type { Command } from 'commander';
import { parseAssignment, parsePath, type Override } from './set-override';

/**
 * Declares `--set path=value` and `--unset path` on `command` (submit, copy) and returns the list
 * they fill. Commander calls the parsers in argv order, and the program is built once per run, so
 * the overrides apply in the order given.
 */
export function overrideOptions(command: Command, example: string): Override[] {
  const overrides: Override[] = [];
  const add = (o: Override) => (overrides.push(o), overrides);
  command
    .option('--set <path=value>', `override a field, e.g. ${example} (repeatable)`, (v) => add(parseAssignment(v)))
    .option('--unset <path>', 'leave a field out, e.g. metadata.experiment (repeatable)', (v) => add({ path: parsePath(v) }));
  return overrides;
}
