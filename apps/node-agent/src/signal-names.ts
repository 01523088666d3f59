import { constants } from 'node:os';

/** Signal numbers to the platform's names (this OS's numbering: Linux). */
export const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** `SIGKILL` for 9; `signal 64` for a number without a name. */
export const signalName = (n: number): string => SIGNAL_NAMES.get(n) ?? `signal ${n}`;
