import { shellQuote } from '../shell-quote';

/** Characters that mean nothing to `/bin/sh` in a word (no quoting needed). */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argv word as shell text: bare when nothing in it is special, single-quoted otherwise. */
export function shellWord(word: string): string {
  return PLAIN.test(word) ? word : shellQuote(word);
}

/** An argv as one shell line that runs exactly that argv. */
export function renderArgv(argv: readonly string[]): string {
  return argv.map(shellWord).join(' ');
}

/**
 * `NAME=value` assignments (values quoted) in name order. Names come from the launchers, never from
 * user input, so they are shell identifiers by construction.
 */
export function renderAssignments(env: Readonly<Record<string, string>>): string {
  return Object.keys(env)
    .sort()
    .map((name) => `${name}=${shellQuote(env[name]!)}`)
    .join(' ');
}

/**
 * A variable's value split into words the way the guide's unquoted `${MA_EXTRA_TORCHRUN_PARAMS}`
 * is: at blanks, with no quote processing (and, unlike the shell, no globbing).
 */
export function splitWords(value: string | undefined): string[] {
  return (value ?? '').split(/[ \t\n]+/).filter((w) => w !== '');
}
