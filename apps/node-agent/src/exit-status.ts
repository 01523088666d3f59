import { SIGNAL_NAMES } from './signal-names';
import type { TaskExit } from './task-runtime';

/**
 * A shell's or a container engine's exit status as a `TaskExit`. Both report "killed by signal n" as
 * 128 + n, which is read back as the signal, so the runtimes agree with the plain process runtime
 * (which sees the signal itself). A script's own `exit 143` reads as SIGTERM too: the status cannot
 * tell them apart.
 */
export function exitFromStatus(status: number): TaskExit {
  const signal = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  return signal ? { exitCode: null, signal } : { exitCode: status, signal: null };
}
