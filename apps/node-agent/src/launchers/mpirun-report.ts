import type { LauncherReport, LauncherWorkerFailure } from '@trainyard/contracts';
import { signalName } from '../signal-names';

/**
 * Open MPI's notices of a failed rank (its help texts, `help-orterun.txt` of Open MPI 4.1):
 * - `orterun:proc-aborted(-strsignal)`: "mpirun noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed)."
 * - `orterun:non-zero-exit`: "… The first process to do so was:\n  Process name: [[9508,1],1]\n  Exit code:    3"
 * - `MPI_ABORT was invoked on rank 1 in communicator MPI_COMM_WORLD\nwith errorcode 1.`
 */
const SIGNALLED = /noticed that process rank (\d+) with PID (\d+) on node (\S+) exited on signal (\d+)/;
const PROCESS_NAME = /^\s*Process name:\s*\[\[\d+,\d+\],(\d+)\]/;
const EXIT_CODE = /^\s*Exit code:\s*(-?\d+)/;
const ABORT = /MPI_ABORT was invoked on rank (\d+)/;
const ERRORCODE = /with errorcode (-?\d+)/;

/**
 * mpirun's own failure report (issue 9), from the last lines of its output: the rank it says failed
 * first, and how. A rank killed by a signal carries the signal; one that exited non-zero or called
 * `MPI_ABORT` its code. Undefined when mpirun said none of these (it succeeded, or its notice could
 * not be printed).
 *
 * @example
 * ```ts
 * mpirunReport(['mpirun noticed that process rank 1 with PID 0 on node vm exited on signal 9 (Killed).'])
 * // { launcher: 'mpirun', failures: [{ rank: 1, host: 'vm', exitCode: null, signal: 'SIGKILL' }] }
 * ```
 */
export function mpirunReport(lines: readonly string[]): LauncherReport | undefined {
  const failures: LauncherWorkerFailure[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const s = SIGNALLED.exec(line);
    if (s) {
      const pid = Number(s[2]);
      failures.push({ rank: Number(s[1]), ...(pid > 0 ? { pid } : {}), host: s[3]!, exitCode: null, signal: signalName(Number(s[4])) });
      continue;
    }
    const name = PROCESS_NAME.exec(line);
    const code = name ? EXIT_CODE.exec(lines[i + 1] ?? '') : null;
    if (name && code) {
      failures.push({ rank: Number(name[1]), exitCode: Number(code[1]) });
      continue;
    }
    const abort = ABORT.exec(line);
    if (abort) {
      const e = ERRORCODE.exec(`${line} ${lines[i + 1] ?? ''}`);
      failures.push({ rank: Number(abort[1]), exitCode: e ? Number(e[1]) : 1 });
    }
  }
  return failures.length ? { launcher: 'mpirun', failures } : undefined;
}
