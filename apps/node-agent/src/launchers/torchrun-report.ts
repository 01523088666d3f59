import type { LauncherReport, LauncherWorkerFailure } from '@trainyard/contracts';
import { signalName } from '../signal-names';

/** torchrun's summary of one failed worker: `[0]:` then `  key : value` lines (torch's `_FAILURE_FORMAT_TEMPLATE`). */
const ENTRY = /^\[(\d+)\]:\s*$/;
const FIELD = /^ {2}(time|host|rank|exitcode|error_file|traceback)\s*:\s?(.*)$/;
const RULE = /^[-=]{20,}\s*$/;
/** A worker's traceback quoted in the summary is bounded: the log has it whole. */
const MAX_TRACEBACK = 4000;

/**
 * torchrun's own failure report, from the last lines of its output (issue 9): the summary it prints
 * when a worker fails — "Root Cause (first observed failure)" and "Failures" — as one entry per worker,
 * the root cause first. `exitcode: -9` is a death by SIGKILL (torch's `-signal` convention, with
 * `traceback : Signal 9 (SIGKILL) received by PID`); with `@record` the worker's Python traceback is
 * quoted under `traceback :`. Note that torchrun's root cause is the first failure it saw *within a
 * poll*, by local rank: a peer that failed because a rank was killed may be named before the killed one
 * (test/fixtures/launcher-output). Undefined when the lines hold no summary (torchrun succeeded, or
 * died before it could write one).
 *
 * @example
 * ```ts
 * torchrunReport(lines) // { launcher: 'torchrun', failures: [{ rank: 2, localRank: 0, exitCode: 1, … }, { rank: 3, localRank: 1, exitCode: null, signal: 'SIGKILL', pid: 6783, host: 'localhost' }] }
 * ```
 */
export function torchrunReport(lines: readonly string[]): LauncherReport | undefined {
  const root = lastIndexOf(lines, (l) => l.startsWith('Root Cause (first observed failure):'));
  if (root < 0) return undefined;
  const failuresAt = lastIndexOf(lines.slice(0, root), (l) => l.startsWith('Failures:'));
  const rootEntries = entries(lines, root + 1);
  const others = failuresAt >= 0 ? entries(lines, failuresAt + 1) : [];
  const failures = [...rootEntries.slice(0, 1), ...others];
  return failures.length ? { launcher: 'torchrun', failures } : undefined;
}

function lastIndexOf(lines: readonly string[], match: (l: string) => boolean): number {
  for (let i = lines.length - 1; i >= 0; i--) if (match(lines[i]!)) return i;
  return -1;
}

/** The `[n]:` entries from `start` up to the next rule line (`-----`, `=====`) or section header. */
function entries(lines: readonly string[], start: number): LauncherWorkerFailure[] {
  const out: LauncherWorkerFailure[] = [];
  let fields: Record<string, string> | undefined;
  let last: string | undefined;
  const flush = () => {
    if (fields) {
      const w = worker(fields);
      if (w) out.push(w);
    }
  };
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    if (RULE.test(line) || /^(Failures|Root Cause)/.test(line)) break;
    if (ENTRY.test(line)) {
      flush();
      fields = {};
      last = undefined;
      continue;
    }
    if (!fields) continue;
    const f = FIELD.exec(line);
    if (f && !line.startsWith('    ')) {
      last = f[1]!;
      fields[last] = f[2]!;
    } else if (last === 'traceback') {
      // A quoted traceback goes on indented under its field.
      fields.traceback += `\n${line.replace(/^ {2}/, '')}`;
    }
  }
  flush();
  return out;
}

function worker(fields: Record<string, string>): LauncherWorkerFailure | undefined {
  const exit = /^(-?\d+)(?:\s*\(pid:\s*(\d+)\))?/.exec(fields.exitcode ?? '');
  if (!exit) return undefined;
  const rank = /^(\d+)(?:\s*\(local_rank:\s*(\d+)\))?/.exec(fields.rank ?? '');
  const code = Number(exit[1]);
  const traceback = (fields.traceback ?? '').trimEnd();
  const quoted = traceback.startsWith('Traceback (most recent call last):');
  const message = quoted ? traceback.split('\n').map((l) => l.trim()).filter(Boolean).at(-1) : undefined;
  return {
    ...(rank ? { rank: Number(rank[1]) } : {}),
    ...(rank?.[2] !== undefined ? { localRank: Number(rank[2]) } : {}),
    ...(exit[2] !== undefined ? { pid: Number(exit[2]) } : {}),
    ...(fields.host ? { host: fields.host.trim() } : {}),
    // torch reports a worker killed by signal n as exit code -n.
    exitCode: code < 0 ? null : code,
    ...(code < 0 ? { signal: signalName(-code) } : {}),
    ...(message ? { message } : {}),
    ...(quoted ? { traceback: traceback.slice(-MAX_TRACEBACK) } : {}),
  };
}
