import type { Fault, JobEventData, RecoveryAction } from '@trainyard/contracts';
import type { RecoveryPolicy } from './recovery-policy';
import type { RecoveryRecord } from './recovery-record';
import { RecoveryLimits, RecoveryRule, USER_INDUCED_FAULT_CODES } from './recovery-rule';

/** What the policy needs to know about the job's tasks. */
export interface RecoveryTask {
  name: string;
  /** `TaskStatus` of the training-job aggregate. */
  status: string;
  nodeId?: string;
}

/**
 * The input of {@link decideRecovery}: the fault, the job's settings and its earlier decisions. Time
 * is an input (STYLE 3).
 *
 * @example
 * ```ts
 * decideRecovery({ policy: policyOf(spec), fault: { kind: 'process-killed', task: 'worker-0', nodeId: 'n1', code: 'SIGKILL', hardware: false },
 *   history: job.recovery?.history ?? [], tasks: job.tasks, now })
 * // → { action: 'restart-in-place', rule: 'in-place-restart', restarts: { current: 0, max: 3 }, consecutive: 1, … }
 * ```
 */
export interface RecoveryInput {
  policy: RecoveryPolicy;
  fault: Fault;
  history: readonly RecoveryRecord[];
  tasks: readonly RecoveryTask[];
  now: string;
  /** Other nodes of this job known faulty now (they are isolated with the fault's node). */
  faultyNodes?: readonly string[];
  /** False when no healthy node can take a moved pod right now (pod reschedule then falls back). */
  podPlacementAvailable?: boolean;
}

/**
 * The policy's answer: one action, the rule that chose it, and the counters after it — the data of the
 * `RecoveryDecided` event it becomes, less the attempt (the shell adds it) and with the rule typed.
 */
export type RecoveryDecision = Omit<JobEventData['RecoveryDecided'], 'attempt' | 'rule'> & { rule: RecoveryRule };

const HARDWARE_KINDS = new Set<Fault['kind']>(['hardware', 'node-lost', 'node-drained', 'preflight-hardware']);

/**
 * The guide's recovery strategies as one pure policy (ch12 §4.6), escalating from the smallest step:
 * restart in place → move one pod → reschedule the job (isolating faulty nodes) → fail. In-place and
 * hang restarts never use the re-dispatch budget (L8044, L8049); job reschedules do; pod reschedules
 * use `pod-retry-num`. Streaks: three unconditional reschedules or three hang restarts in a row, and
 * the next one fails; the same in-place fault on the same node the third time within 24 h escalates.
 */
export function decideRecovery(input: RecoveryInput): RecoveryDecision {
  const { policy, fault } = input;
  const ctx = new Context(input);
  if (fault.kind === 'hang') return hang(ctx);
  // Retrying cannot fix a spec, whatever the annotations say, and the node is not to blame (issue 9).
  if (fault.kind === 'user-error') return ctx.fail(RecoveryRule.UserError, `${describe(fault)}: the job's own spec cannot run, the job fails`);
  if (!policy.autoRestart) return ctx.fail(RecoveryRule.AutoRestartOff, 'auto restart is off: the job fails');
  switch (fault.kind) {
    case 'evicted':
      return ctx.fail(RecoveryRule.EvictedFails, 'the task was evicted: evicted jobs are not rescheduled, the job fails');
    case 'process-killed':
    case 'self-healable':
    case 'user-induced':
      return inPlace(ctx);
    case 'hardware':
    case 'node-lost':
    case 'node-drained':
      return nodeFault(ctx);
    case 'preflight-hardware':
      return ctx.reschedule(RecoveryRule.PreflightIsolate, ctx.faultyNodes(), 'preflight found faulty hardware: isolating it and re-dispatching the job');
    case 'preflight-environment':
      return ctx.reschedule(RecoveryRule.PreflightReassign, [], 'preflight failed on healthy hardware: re-dispatching the job on other nodes');
    case 'non-zero-exit':
      return unconditional(ctx);
    default: {
      const _exhaustive: never = fault.kind;
      return _exhaustive;
    }
  }
}

function hang(ctx: Context): RecoveryDecision {
  if (!ctx.policy.hangRetry) return ctx.decide('none', RecoveryRule.HangRetryOff, [], 'suspected hang; hang retry is off, nothing is restarted');
  const streak = ctx.streak((r) => r.rule === RecoveryRule.HangRestart);
  if (streak >= RecoveryLimits.consecutiveHangRestarts) {
    return ctx.fail(RecoveryRule.HangLimit, `hung again after ${streak} hang restarts in a row: the job fails`, streak + 1);
  }
  return ctx.decide('hang-restart', RecoveryRule.HangRestart, [], `suspected hang: restarting the processes in place (${streak + 1}/${RecoveryLimits.consecutiveHangRestarts})`, { consecutive: streak + 1 });
}

function inPlace(ctx: Context): RecoveryDecision {
  const { fault } = ctx;
  const since = Date.parse(ctx.now) - RecoveryLimits.sameFaultWindowMs;
  const streak = ctx.streak((r) => r.action === 'restart-in-place' && sameFault(r.fault, fault) && Date.parse(r.at) >= since);
  if (streak + 1 < RecoveryLimits.sameFaultInPlace) {
    return ctx.decide('restart-in-place', RecoveryRule.InPlaceRestart, [], `${describe(fault)}: restarting the processes in place on their nodes`, { consecutive: streak + 1 });
  }
  const times = `${streak + 1} times in a row within 24 h`;
  if (fault.kind === 'user-induced' || USER_INDUCED_FAULT_CODES.includes(fault.code ?? '')) {
    return ctx.reschedule(RecoveryRule.UserInducedRepeated, [], `${describe(fault)} ${times}, caused by user input: rescheduling the job without isolating the node`, streak + 1);
  }
  return ctx.reschedule(RecoveryRule.InPlaceRepeated, ctx.faultyNodes(fault.nodeId), `${describe(fault)} ${times} on ${fault.nodeId ?? 'one node'}: isolating it and rescheduling the job`, streak + 1);
}

function nodeFault(ctx: Context): RecoveryDecision {
  const { policy, fault } = ctx;
  const isolate = ctx.faultyNodes();
  if (policy.maxPodRestarts !== undefined && fault.task !== undefined && ctx.podUsed < policy.maxPodRestarts) {
    if (ctx.input.podPlacementAvailable === false) {
      return ctx.reschedule(RecoveryRule.PodRescheduleFailed, isolate, `${describe(fault)}: no healthy node can take ${fault.task}; rescheduling the whole job`);
    }
    return ctx.decide('reschedule-pod', RecoveryRule.PodReschedule, isolate, `${describe(fault)}: moving ${fault.task} to a healthy node, the other tasks restart in place`, {
      tasks: [fault.task],
      podConsumed: true,
    });
  }
  return ctx.reschedule(RecoveryRule.IsolatingReschedule, isolate, `${describe(fault)}: isolating the faulty node and rescheduling the job`);
}

function unconditional(ctx: Context): RecoveryDecision {
  const { fault } = ctx;
  if (!ctx.policy.unconditional) return ctx.fail(RecoveryRule.WorkloadFailed, `${describe(fault)} on healthy hardware and unconditional retry is off: the job fails`);
  const streak = ctx.streak((r) => r.rule === RecoveryRule.UnconditionalReschedule && sameSignature(r.fault, fault));
  if (streak >= RecoveryLimits.consecutiveUnconditional) {
    return ctx.fail(RecoveryRule.UnconditionalLimit, `${describe(fault)} again after ${streak} unconditional reschedules in a row: the user code is at fault, the job fails`, streak + 1);
  }
  return ctx.reschedule(RecoveryRule.UnconditionalReschedule, [], `${describe(fault)}: rescheduling the job unconditionally (${streak + 1}/${RecoveryLimits.consecutiveUnconditional})`, streak + 1);
}

/** Counters and builders shared by the rules. */
class Context {
  readonly used: number;
  readonly podUsed: number;

  constructor(readonly input: RecoveryInput) {
    this.used = input.history.filter((r) => r.consumesBudget).length;
    this.podUsed = input.history.filter((r) => r.consumesPodBudget).length;
  }

  get policy() {
    return this.input.policy;
  }
  get fault() {
    return this.input.fault;
  }
  get now() {
    return this.input.now;
  }

  /** Trailing records (newest first) that match; the first that does not ends the streak. */
  streak(match: (r: RecoveryRecord) => boolean): number {
    let n = 0;
    for (let i = this.input.history.length - 1; i >= 0 && match(this.input.history[i]); i--) n++;
    return n;
  }

  /** The fault's node when the hardware is to blame, the other known faulty nodes, and `also`. */
  faultyNodes(also?: string): string[] {
    const own = this.fault.hardware || HARDWARE_KINDS.has(this.fault.kind) ? [this.fault.nodeId] : [];
    const nodes = [...own, also, ...(this.input.faultyNodes ?? [])];
    return [...new Set(nodes.filter((n): n is string => typeof n === 'string' && n.length > 0))].sort();
  }

  unfinished(): string[] {
    return this.input.tasks.filter((t) => t.status !== 'succeeded').map((t) => t.name);
  }

  /** A job reschedule, unless the re-dispatch budget is used up (then the job fails). */
  reschedule(rule: RecoveryRule, isolate: string[], message: string, consecutive?: number): RecoveryDecision {
    const max = this.policy.maxRestarts;
    if (this.used >= max) {
      return this.decide('fail', RecoveryRule.RestartLimit, isolate, `${describe(this.fault)}; all ${max} restarts are used: the job fails`);
    }
    return this.decide('reschedule-job', rule, isolate, message, { consecutive, consumed: true });
  }

  fail(rule: RecoveryRule, message: string, consecutive?: number): RecoveryDecision {
    return this.decide('fail', rule, this.fault.hardware ? this.faultyNodes() : [], message, { consecutive });
  }

  decide(
    action: RecoveryAction,
    rule: RecoveryRule,
    isolate: string[],
    message: string,
    extra: { consecutive?: number; consumed?: boolean; podConsumed?: boolean; tasks?: string[] } = {},
  ): RecoveryDecision {
    const max = this.policy.maxPodRestarts;
    return {
      action,
      rule,
      fault: this.fault,
      restarts: { current: this.used + (extra.consumed ? 1 : 0), max: this.policy.maxRestarts },
      ...(max !== undefined ? { podRestarts: { current: this.podUsed + (extra.podConsumed ? 1 : 0), max } } : {}),
      ...(extra.consecutive !== undefined ? { consecutive: extra.consecutive } : {}),
      tasks: extra.tasks ?? tasksFor(action, this),
      isolate,
      message,
    };
  }
}

function tasksFor(action: RecoveryAction, ctx: Context): string[] {
  switch (action) {
    case 'restart-in-place':
    case 'hang-restart':
      return ctx.unfinished();
    case 'reschedule-job':
      return ctx.input.tasks.map((t) => t.name);
    case 'reschedule-pod':
    case 'fail':
    case 'none':
      return ctx.fault.task !== undefined ? [ctx.fault.task] : [];
    default: {
      const _exhaustive: never = action;
      return _exhaustive;
    }
  }
}

/** "The same fault": same kind and signature on the same node (L8186: same node, chip and fault code). */
const sameFault = (a: Fault, b: Fault): boolean => a.kind === b.kind && a.nodeId === b.nodeId && (a.code ?? '') === (b.code ?? '');

/** "The same problem" of an unconditional streak: same kind and signature, wherever it ran (L8240-8242). */
const sameSignature = (a: Fault, b: Fault): boolean => a.kind === b.kind && (a.code ?? '') === (b.code ?? '');

function describe(f: Fault): string {
  const where = f.task ? `${f.task}${f.nodeId ? ` on ${f.nodeId}` : ''}` : (f.nodeId ?? 'the job');
  switch (f.kind) {
    case 'process-killed':
      return `${where} was killed (${f.code ?? 'signal'})`;
    case 'non-zero-exit':
      return `${where} exited with ${f.code ?? 'an error'}`;
    case 'node-lost':
      return `node ${f.nodeId ?? '?'} was lost${f.task ? ` with ${f.task}` : ''}`;
    case 'node-drained':
      return `node ${f.nodeId ?? '?'} is drained${f.task ? ` (${f.task})` : ''}`;
    case 'user-error':
      return `${where}: ${f.detail ?? f.code ?? 'the spec cannot run'}`;
    default:
      return `${f.kind.replace(/-/g, ' ')} fault of ${where}${f.code ? ` (${f.code})` : ''}`;
  }
}
