import type { Fault, JobEventData, LauncherReport, LauncherWorkerFailure } from '@trainyard/contracts';
import { USER_INDUCED_FAULT_CODES } from './recovery-rule';

/** What the log analyser says about a failure's cause, when a rule matched (`analyseFailure`). */
export type FaultHint = 'hardware' | 'self-healable' | 'user-induced' | 'software';

/** Everything known about one task exit when its fault is classified. */
export interface ExitFacts {
  exit: JobEventData['TaskExited'];
  /** Failed items of the task attempt's pre-check (W02/W03), when the exit is `precheck-failed`. */
  precheck?: readonly { item: string; hardware: boolean; detail?: string }[];
  /** An operator was draining the task's node when it stopped. */
  nodeDraining?: boolean;
  /** The failure analyser's hint from the task's last log lines. */
  hint?: FaultHint;
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 13: 'SIGPIPE', 15: 'SIGTERM' };

/**
 * Classifies a failed task exit into the policy's fault kinds (ch12 §2.2 scenario table, §4.1):
 *
 * | exit                                   | fault                                        |
 * |----------------------------------------|----------------------------------------------|
 * | `precheck-failed`, a hardware item     | `preflight-hardware` (scenario 1)            |
 * | `precheck-failed`, no hardware item    | `preflight-environment` (scenario 2)         |
 * | agent-reported device fault            | `user-induced` / `self-healable` / `hardware`|
 * | agent-reported eviction                | `evicted`                                    |
 * | `lost`                                 | `node-lost`                                  |
 * | `stopped` (the node is draining)       | `node-drained`, else `evicted`               |
 * | `user-error`, or a user error reported | `user-error` (the job's spec; never the node's) |
 * | killed by a signal (or exit 128 + n)   | `process-killed`, or the log's hint          |
 * | the launcher says a worker was killed  | `process-killed` (torchrun's `exitcode: -9`), or the log's hint |
 * | exit 126 / 127 (not executable, not found) | `user-error`                             |
 * | non-zero exit, `launch-failed`         | `non-zero-exit` (scenario 4), or the log's hint |
 *
 * @example
 * ```ts
 * classifyExit({ exit: { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, signal: 'SIGKILL', reason: 'exited' } })
 * // { kind: 'process-killed', task: 'worker-0', nodeId: 'n1', code: 'SIGKILL', hardware: false }
 * ```
 */
export function classifyExit(facts: ExitFacts): Fault {
  const { exit, hint } = facts;
  const at = { task: exit.task, nodeId: exit.nodeId };
  const f = (kind: Fault['kind'], hardware: boolean, code?: string, detail?: string): Fault => ({
    kind,
    ...at,
    ...(code !== undefined ? { code } : {}),
    hardware,
    ...(detail !== undefined ? { detail } : {}),
  });

  if (exit.reason === 'precheck-failed') {
    const failed = facts.precheck ?? [];
    const hw = failed.find((p) => p.hardware);
    const first = hw ?? failed[0];
    return f(hw ? 'preflight-hardware' : 'preflight-environment', hw !== undefined, first?.item ?? 'precheck', first?.detail ?? exit.error);
  }
  if (exit.userError) return f('user-error', false, exit.userError.code, `${exit.userError.field}: ${exit.userError.message}`);
  if (exit.reason === 'user-error') return f('user-error', false, 'user-error', exit.error);
  if (exit.fault?.kind === 'evicted') return f('evicted', false, undefined, exit.fault.message);
  if (exit.fault?.kind === 'device') {
    const code = exit.fault.code;
    if (code !== undefined && USER_INDUCED_FAULT_CODES.includes(code)) return f('user-induced', false, code, exit.fault.message);
    if (exit.fault.selfHealable) return f('self-healable', false, code, exit.fault.message);
    return f('hardware', true, code, exit.fault.message);
  }
  switch (exit.reason) {
    case 'lost':
      return f('node-lost', true, 'lost', exit.error);
    case 'stopped':
      return facts.nodeDraining ? f('node-drained', true, 'drained') : f('evicted', false, 'stopped', exit.error);
    case 'launch-failed':
      return fromHint(hint, f) ?? f('non-zero-exit', false, 'launch-failed', exit.error);
    case 'exited': {
      const signal = exit.signal ?? signalOfStatus(exit.exitCode);
      if (exit.exitCode === null || signal !== undefined) return fromHint(hint, f) ?? f('process-killed', false, signal ?? 'signal');
      const worker = launcherCulprit(exit.launcher);
      if (worker) {
        const killed = worker.signal ?? signalOfStatus(worker.exitCode);
        const what = describeWorker(exit.launcher!.launcher, worker, killed);
        return fromHint(hint, f) ?? (killed ? f('process-killed', false, killed, what) : f('non-zero-exit', false, `exit ${worker.exitCode ?? exit.exitCode}`, what));
      }
      // The shell's own verdict on the command line (POSIX: 126 found but not executable, 127 not found).
      if (exit.exitCode === 126 || exit.exitCode === 127) return fromHint(hint, f) ?? f('user-error', false, `exit ${exit.exitCode}`, exit.exitCode === 127 ? 'command not found' : 'command not executable');
      return fromHint(hint, f) ?? f('non-zero-exit', false, `exit ${exit.exitCode}`);
    }
    default:
      return f('non-zero-exit', false, exit.reason, exit.error);
  }
}

/** A shell's or engine's 128 + n as the signal's name. */
function signalOfStatus(status: number | null | undefined): string | undefined {
  if (status === null || status === undefined || status <= 128 || status >= 160) return undefined;
  return SIGNALS[status - 128] ?? `signal ${status - 128}`;
}

/**
 * The worker whose failure the others followed: one killed by a signal (its peers then fail in their
 * collectives, and torchrun may well name one of them its "root cause", as it picks by local rank
 * within the second), else the first the launcher listed.
 */
export function launcherCulprit(report: LauncherReport | undefined): LauncherWorkerFailure | undefined {
  const failures = report?.failures ?? [];
  return failures.find((w) => w.signal ?? signalOfStatus(w.exitCode)) ?? failures[0];
}

function describeWorker(launcher: string, w: LauncherWorkerFailure, signal: string | undefined): string {
  const where = [w.localRank !== undefined ? `local rank ${w.localRank}` : '', w.pid !== undefined ? `pid ${w.pid}` : '', w.host ? `on ${w.host}` : ''].filter(Boolean).join(', ');
  const who = `${w.rank !== undefined ? `rank ${w.rank}` : 'a worker'}${where ? ` (${where})` : ''}`;
  const how = signal ? `was killed by ${signal}` : `exited with ${w.exitCode ?? 'an unknown status'}${w.message ? `: ${w.message}` : ''}`;
  return `${launcher}: ${who} ${how}`;
}

function fromHint(hint: FaultHint | undefined, f: (kind: Fault['kind'], hardware: boolean, code?: string) => Fault): Fault | undefined {
  switch (hint) {
    case 'hardware':
      return f('hardware', true, 'log');
    case 'self-healable':
      return f('self-healable', false, 'log');
    case 'user-induced':
      return f('user-induced', false, 'log');
    case 'software':
    case undefined:
      return undefined;
    default: {
      const _exhaustive: never = hint;
      return _exhaustive;
    }
  }
}
