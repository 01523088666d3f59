import { describeWaitReason, type DomainEvent, type JobEvent, type StoredCommit } from '@trainyard/contracts';
import type { PlacementCheck } from './placement-check';

/** The kinds of decision an explanation lists. */
export type DecisionKind = 'admission' | 'queued' | 'wait' | 'priority' | 'placement' | 'start' | 'fault' | 'recovery' | 'hang' | 'preemption' | 'stop' | 'end';

/**
 * One decision that made the job what it is, in words and as data.
 *
 * @example
 * ```ts
 * { seq: 12, time: '…', kind: 'placement', actor: 'scheduler', text: 'placed attempt 1: worker-0 on node-1; of the 3 other nodes of pool default: 2 INSUFFICIENT_CPU, 1 NODE_NOT_SCHEDULABLE' }
 * ```
 */
export interface Decision {
  seq: number;
  time: string;
  kind: DecisionKind;
  /** The event behind it. */
  type: string;
  actor: string;
  text: string;
  data?: unknown;
}

export interface Explanation {
  jobId: string;
  decisions: Decision[];
}

/** What an explanation may add from outside the job's own history. */
export interface ExplainContext {
  /** For each JobScheduled (by commit sequence): how the other nodes fared, from the real checkers. */
  placementChecks?: ReadonlyMap<number, PlacementCheck>;
  /** Other jobs' commits: the preemptor's, to say which victim set it chose and why. */
  related?: ReadonlyMap<string, readonly StoredCommit[]>;
}

/**
 * The chain of decisions in a job's history (`yard explain`): admission, each change of wait reason,
 * each placement (and how the other nodes were rejected), starts, faults and each recovery (rule,
 * counters, action), preemptions (by whom, why this victim set), stops and the end. Pure: the same
 * commits and context give the same explanation.
 */
export function explainJob(jobId: string, commits: readonly StoredCommit[], ctx: ExplainContext = {}): Explanation {
  const decisions: Decision[] = [];
  let queuedOnce = false;
  for (const c of commits) {
    for (const e of c.events as JobEvent[]) {
      const d = describe(e, c, queuedOnce, ctx, jobId);
      if (e.type === 'JobQueued') queuedOnce = true;
      if (d) decisions.push({ seq: c.seq, time: e.time, type: e.type, actor: c.meta.actor, ...d });
    }
  }
  return { jobId, decisions };
}

type Described = Pick<Decision, 'kind' | 'text' | 'data'>;

function describe(e: JobEvent, c: StoredCommit, queuedOnce: boolean, ctx: ExplainContext, jobId: string): Described | undefined {
  switch (e.type) {
    case 'JobCreated': {
      const r = e.data.spec.spec.resource;
      const f = r.flavor;
      const shape = [`${f.cpu} cpu`, `${f.memoryMiB} MiB`, f.gpu ? `${f.gpu} gpu` : '', f.npu ? `${f.npu} npu` : ''].filter(Boolean).join(', ');
      const text = `submitted by ${e.data.createdBy}: ${e.data.tasks.length} instance(s) of ${shape} in pool ${r.pool ?? 'default'}, priority ${e.data.spec.spec.priority ?? 1}; admitted (it fits the pool when empty)`;
      return { kind: 'admission', text, data: { instances: e.data.tasks.length, flavor: f, pool: r.pool ?? 'default' } };
    }
    case 'JobQueued':
      if (e.data.requeue) return { kind: 'queued', text: `queued again at first priority (priority ${e.data.priority}) after ${e.data.requeue}`, data: e.data };
      return { kind: 'queued', text: queuedOnce ? `queued again at priority ${e.data.priority}` : `queued at priority ${e.data.priority}, first come first served within it`, data: e.data };
    case 'JobWaiting':
      return { kind: 'wait', text: `waiting: ${describeWaitReason(e.data.reason)}`, data: e.data.reason };
    case 'JobPriorityChanged':
      return { kind: 'priority', text: `priority changed from ${e.data.from} to ${e.data.to} by ${e.data.by}`, data: e.data };
    case 'JobScheduled': {
      const where = e.data.placements.map((p) => `${p.task} on ${p.nodeId}`).join(', ');
      const check = ctx.placementChecks?.get(c.seq);
      return { kind: 'placement', text: `placed attempt ${e.data.attempt}: ${where}${check ? `; ${describeCheck(check)}` : ''}`, data: { ...e.data, ...(check ? { others: check } : {}) } };
    }
    case 'JobStarted':
      return { kind: 'start', text: `attempt ${e.data.attempt} running (first task started)`, data: e.data };
    case 'TaskExited': {
      const d = e.data;
      if (d.reason === 'exited' && d.exitCode === 0) return undefined;
      if (d.reason === 'stopped') return undefined;
      const how = d.signal ? `killed by ${d.signal}` : d.exitCode !== null ? `exited ${d.exitCode}` : d.reason;
      const why = d.userError ? `; the job's own spec: ${d.userError.field} ${d.userError.code}` : d.fault ? `; ${d.fault.kind} fault${d.fault.hardware ? ' (hardware)' : ''}: ${d.fault.message}` : '';
      return { kind: 'fault', text: `${d.task} of attempt ${d.attempt} on ${d.nodeId} ${how} (${d.reason})${why}`, data: d };
    }
    case 'RecoveryDecided': {
      const d = e.data;
      const counters = `restarts ${d.restarts.current}/${d.restarts.max}${d.podRestarts ? `, pod restarts ${d.podRestarts.current}/${d.podRestarts.max}` : ''}${d.consecutive ? `, streak ${d.consecutive}` : ''}`;
      const fault = `${d.fault.kind}${d.fault.code ? ` ${d.fault.code}` : ''}${d.fault.task ? ` of ${d.fault.task}` : ''}${d.fault.nodeId ? ` on ${d.fault.nodeId}` : ''}`;
      const isolate = d.isolate.length ? `; isolates ${d.isolate.join(', ')}` : '';
      return { kind: 'recovery', text: `recovery: rule ${d.rule} on ${fault} → ${d.action} (${counters})${isolate}: ${d.message}`, data: d };
    }
    case 'JobRestarted':
      return { kind: 'recovery', text: `restarted ${e.data.mode}${e.data.mode === 'job' ? '' : `: ${e.data.tasks.join(', ')}`}${e.data.placements ? ` moved to ${e.data.placements.map((p) => `${p.task}→${p.nodeId}`).join(', ')}` : ''}`, data: e.data };
    case 'JobSuspectedHang':
      return { kind: 'hang', text: `suspected hung (${e.data.evidence.rule}, window ${Math.round(e.data.evidence.windowMs / 1000)} s)`, data: e.data };
    case 'JobPreempted': {
      const victims = victimSet(ctx.related?.get(e.data.by), jobId);
      const set = victims ? `; ${e.data.by} chose the victim set ${victims.join(', ')}: the fewest preemptible lower-priority runs past their minimum run time that free enough room` : '';
      return { kind: 'preemption', text: `preempted by ${e.data.by} (priority ${e.data.byPriority} > this job's); tasks stopped with ${e.data.graceMs} ms grace${set}`, data: { ...e.data, ...(victims ? { victims } : {}) } };
    }
    case 'JobStopRequested':
      return { kind: 'stop', text: e.data.reason === 'max-run-time' ? `stopping: ran its ${e.data.maxRunHours} h limit` : `stop requested by ${e.data.by}`, data: e.data };
    case 'JobSucceeded':
      return { kind: 'end', text: `completed (attempt ${e.data.attempt})`, data: e.data };
    case 'JobFailed':
      return { kind: 'end', text: `failed: ${e.data.reason}${e.data.task ? ` (${e.data.task}${e.data.exitCode !== undefined && e.data.exitCode !== null ? `, exit ${e.data.exitCode}` : ''})` : ''}${e.data.message ? ` — ${e.data.message}` : ''}`, data: e.data };
    case 'JobAbnormal':
      return { kind: 'end', text: `abnormal: ${e.data.reason}`, data: e.data };
    case 'JobTerminated':
      return { kind: 'end', text: `terminated (${e.data.reason})`, data: e.data };
    case 'JobDeleted':
      return { kind: 'end', text: `deleted by ${e.data.by}`, data: e.data };
    default:
      return undefined;
  }
}

/** The victims the preemptor's last PREEMPTION_PENDING reason named, if it names this job. */
function victimSet(preemptor: readonly StoredCommit[] | undefined, jobId: string): string[] | undefined {
  if (!preemptor) return undefined;
  let victims: string[] | undefined;
  for (const c of preemptor) {
    for (const e of c.events as DomainEvent[]) {
      if (e.type === 'JobWaiting' && e.data.reason.victims?.includes(jobId)) victims = e.data.reason.victims;
    }
  }
  return victims;
}

function describeCheck(check: PlacementCheck): string {
  if (check.others === 0) return `no other node in pool ${check.pool}`;
  const rejected = Object.entries(check.rejected).map(([reason, n]) => `${n} ${reason}`);
  const fits = check.feasible ? `${check.feasible} would have fitted one instance (ranked lower by bin packing)` : '';
  return `of the ${check.others} other node(s) of pool ${check.pool}: ${[...rejected, fits].filter(Boolean).join(', ')}`;
}
