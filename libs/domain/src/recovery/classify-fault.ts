import type { Fault, JobEventData } from '@trainyard/contracts';
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
 * | killed by a signal (or exit 128 + n)   | `process-killed`, or the log's hint          |
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
      const signal = exit.signal ?? (exit.exitCode !== null && exit.exitCode > 128 && exit.exitCode < 160 ? (SIGNALS[exit.exitCode - 128] ?? `signal ${exit.exitCode - 128}`) : undefined);
      if (exit.exitCode === null || signal !== undefined) return fromHint(hint, f) ?? f('process-killed', false, signal ?? 'signal');
      return fromHint(hint, f) ?? f('non-zero-exit', false, `exit ${exit.exitCode}`);
    }
    default:
      return f('non-zero-exit', false, exit.reason, exit.error);
  }
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
