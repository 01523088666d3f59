import type { Fault, HangEvidence } from '@trainyard/contracts';
import {
  activeTasks,
  autoRestartOn,
  availabilityOf,
  classifyExit,
  crossJobVerdict,
  decideRecovery,
  isEnded,
  mayBeConsequence,
  policyOf,
  rootCause,
  totalStarts,
  type ExistingTrainingJob,
  type FaultHint,
  type NodeCommand,
  type NodeLiveness,
  type TrainingJobCommand,
} from '@trainyard/domain';
import type { FaultManagerOptions } from './fault-manager-options';
import { lostKey, type FaultJob, type FaultState, type RecordedExit } from './fault-state';
import { placePods } from './pod-placement';

/** One command the fault manager commits, with its deterministic id (a re-issue is harmless). */
export type FaultAction =
  | { kind: 'node'; nodeId: string; commandId: string; command: NodeCommand }
  | { kind: 'job'; jobId: string; commandId: string; command: TrainingJobCommand };

/** The failure analyser's state for one exit: `ready` once its log was read (or waited for long enough). */
export interface AnalysisStatus {
  ready: boolean;
  hint?: FaultHint;
}

export interface FaultPlanInputs {
  state: FaultState;
  now: Date;
  liveness: (nodeId: string) => NodeLiveness;
  /** The analysis of an exit; asking starts it. */
  analysis: (jobId: string, exit: RecordedExit) => AnalysisStatus;
  /** The hang detector's evidence for a running job, if it is suspected hung now. */
  hang: (jobId: string, job: ExistingTrainingJob) => HangEvidence | undefined;
  options: FaultManagerOptions;
}

const EXITED = new Set(['failed', 'lost', 'stopped']);
const ACTOR = 'fault-manager';

/**
 * Everything the fault manager should commit now, derived from its folded state, node liveness, the
 * failure analyses and the hang detector alone (so a new leader finds the same work). In order:
 * node liveness (suspect, isolated as lost, back in service, tasks of lost nodes reported lost);
 * recovery decisions (isolations first, then `ApplyRecovery`); the follow-ups on node subjects
 * (restarts in place, stops of tasks that moved or were lost, stops of drained nodes' tasks); and
 * isolation of nodes where tasks of different jobs keep failing.
 */
export function planFaultActions(inputs: FaultPlanInputs): FaultAction[] {
  return [...livenessActions(inputs), ...recoveryActions(inputs), ...followUps(inputs), ...crossJobIsolations(inputs)];
}

const metadata = (now: Date) => ({ now: now.toISOString() });
const node = (nodeId: string, commandId: string, command: NodeCommand): FaultAction => ({ kind: 'node', nodeId, commandId, command });
const job = (jobId: string, commandId: string, command: TrainingJobCommand): FaultAction => ({ kind: 'job', jobId, commandId, command });

function livenessActions({ state, now, liveness }: FaultPlanInputs): FaultAction[] {
  const out: FaultAction[] = [];
  const m = metadata(now);
  const lostNodes = new Set<string>();
  for (const [nodeId, n] of state.nodes) {
    const s = n.state;
    if (s.status !== 'registered') continue;
    const live = liveness(nodeId);
    const availability = availabilityOf(s);
    if (live === 'lost') lostNodes.add(nodeId);
    if (live === 'suspect' && availability === 'in-service') {
      out.push(node(nodeId, `suspect/${nodeId}/${n.version}`, { type: 'MarkNodeSuspect', data: { lastHeartbeat: null, by: ACTOR }, metadata: m }));
    } else if (live === 'lost' && (availability === 'in-service' || availability === 'suspect')) {
      out.push(node(nodeId, `lost/${nodeId}/${n.version}`, { type: 'IsolateNode', data: { reason: 'node-lost', by: ACTOR, detail: 'no heartbeat for the lease time and the grace period' }, metadata: m }));
    } else if (live === 'alive' && (availability === 'suspect' || (availability === 'isolated' && s.isolation?.reason === 'node-lost'))) {
      out.push(node(nodeId, `return/${nodeId}/${n.version}`, { type: 'ReturnNode', data: { by: ACTOR, reason: 'heartbeats resumed', auto: true }, metadata: m }));
    }
  }
  // Tasks on a lost node will never report: report them lost so their jobs recover (or end).
  for (const [jobId, j] of state.jobs) {
    if (j.state.status === 'none') continue;
    for (const t of activeTasks(j.state)) {
      if (!t.nodeId || !lostNodes.has(t.nodeId)) continue;
      out.push(job(jobId, `lost/${jobId}/${t.name}/${t.attempt}/${t.nodeId}`, {
        type: 'ReportTaskExited',
        data: { task: t.name, attempt: t.attempt, nodeId: t.nodeId, exitCode: null, signal: null, reason: 'lost', error: `node ${t.nodeId} is lost: no heartbeat` },
        metadata: m,
      }));
    }
  }
  return out;
}

function live(j: ExistingTrainingJob): boolean {
  return j.status === 'running' || (j.status === 'waiting' && j.dispatched);
}

/** Whether the exit's class depends on its log (a non-zero exit may be a hardware fault, scenario 3 vs 4). */
const needsLog = (e: RecordedExit): boolean =>
  (e.data.reason === 'exited' && e.data.exitCode !== null && e.data.exitCode !== 0 && !(e.data.exitCode > 128 && e.data.exitCode < 160)) || e.data.reason === 'launch-failed';

function classify(inputs: FaultPlanInputs, jobId: string, j: FaultJob, e: RecordedExit, hint?: FaultHint): Fault {
  const n = inputs.state.nodes.get(e.data.nodeId);
  return classifyExit({
    exit: e.data,
    precheck: j.precheck.get(`${e.data.task}/${e.data.attempt}`),
    nodeDraining: n ? availabilityOf(n.state) === 'draining' : false,
    ...(hint ? { hint } : {}),
  });
}

function recoveryActions(inputs: FaultPlanInputs): FaultAction[] {
  const { state, now, liveness } = inputs;
  // Every isolation before any recovery: a pass commits each kind in a wave of its own (commit-waves.ts).
  const isolations: FaultAction[] = [];
  const out: FaultAction[] = [];
  const m = metadata(now);
  for (const [jobId, j] of state.jobs) {
    const s = j.state;
    if (s.status === 'none' || !live(s)) continue;
    const policy = policyOf(s.spec);
    const tasks = s.tasks.map((t) => ({ name: t.name, status: t.status, ...(t.nodeId ? { nodeId: t.nodeId } : {}) }));
    const history = s.recovery?.history ?? [];

    if (autoRestartOn(s.spec)) {
      const exits = s.tasks
        .filter((t) => EXITED.has(t.status))
        .flatMap((t) => {
          const e = j.exits.get(t.name);
          return e && e.data.attempt === s.attempt ? [e] : [];
        })
        .sort((a, b) => a.seq - b.seq);
      if (exits.length) {
        const analyses = exits.map((e) => inputs.analysis(jobId, e));
        if (exits.some((e, i) => needsLog(e) && !analyses[i]!.ready)) continue;
        const faults = exits.map((e, i) => classify(inputs, jobId, j, e, analyses[i]!.hint));
        // The failure that explains the others (a killed rank, not the peers whose collectives then
        // failed); a plain non-zero exit waits a little for the tasks still running to report theirs.
        const root = rootCause(faults);
        const fault = faults[root]!;
        const peersRunning = s.tasks.some((t) => t.attempt === s.attempt && (t.status === 'assigned' || t.status === 'running'));
        if (mayBeConsequence(fault) && peersRunning && m.now < new Date(Date.parse(exits[0]!.time) + inputs.options.rootCauseWaitMs).toISOString()) continue;
        const faultyNodes = faults.filter((f, i) => i !== root && f.hardware && f.nodeId).map((f) => f.nodeId!);
        const avoid = new Set([fault.nodeId ?? '', ...faultyNodes]);
        // Only a probe: whether some healthy node could take the pod now decides pod vs job reschedule.
        // The scheduler places the pod (it is the only placer, so nothing it places at the same time
        // can over-commit the node); the decision leaves the task waiting for a node.
        const placements = policy.maxPodRestarts !== undefined && fault.task !== undefined ? placePods(state, s, [fault.task], avoid, (id) => liveness(id) === 'alive') : undefined;
        const decision = decideRecovery({ policy, fault, history, tasks, now: m.now, faultyNodes, podPlacementAvailable: placements !== undefined });
        // Faulty nodes leave service before the job can be placed again (ch12 §2.1, L7529-7534).
        for (const n of decision.isolate) {
          const reason = fault.kind === 'node-lost' && n === fault.nodeId ? 'node-lost' : 'hardware-fault';
          isolations.push(node(n, `isolate/${n}/${jobId}/${j.version}`, { type: 'IsolateNode', data: { reason, by: ACTOR, detail: `job ${jobId}: ${decision.message}` }, metadata: m }));
        }
        out.push(job(jobId, `recover/${jobId}/${j.version}`, {
          type: 'ApplyRecovery',
          data: { attempt: s.attempt, decision },
          metadata: m,
        }));
        continue;
      }
    }

    // Hang detection: GPU/NPU jobs only (L7729), every task running, once per hang.
    if (s.status !== 'running' || !policy.accelerated || s.tasks.some((t) => t.status !== 'running')) continue;
    if (s.hang && s.hang.starts === totalStarts(s)) continue;
    const evidence = inputs.hang(jobId, s);
    if (!evidence) continue;
    const decision = decideRecovery({ policy, fault: { kind: 'hang', hardware: false, detail: evidence.rule }, history, tasks, now: m.now });
    out.push(job(jobId, `hang/${jobId}/${s.attempt}/${totalStarts(s)}`, { type: 'ApplyRecovery', data: { attempt: s.attempt, decision, hang: evidence }, metadata: m }));
  }
  return [...isolations, ...out];
}

function followUps({ state, now, options }: FaultPlanInputs): FaultAction[] {
  const out: FaultAction[] = [];
  const m = metadata(now);
  for (const [jobId, j] of state.jobs) {
    const s = j.state;
    if (s.status === 'none' || !live(s)) continue;
    const last = s.recovery?.history.at(-1);
    // A moved pod still waiting for the scheduler has no host yet: the survivors restart once every
    // rank's host is known (their hosts list must name the new one).
    if (s.tasks.some((t) => t.status === 'pending' && t.attempt === s.attempt)) continue;
    const hosts = [...s.tasks].sort((a, b) => a.index - b.index).map((t) => t.host ?? '');
    for (const t of s.tasks) {
      if (t.restartTo === undefined || t.status !== 'assigned' || !t.nodeId) continue;
      const n = state.nodes.get(t.nodeId)?.state;
      const a = n?.status === 'registered' ? n.assignments[`${jobId}/${t.name}`] : undefined;
      if (!a || a.attempt !== t.attempt || a.status !== 'assigned') continue;
      if (Math.max(a.restartedTo ?? 0, a.assignment.procStartCount) >= t.restartTo) continue;
      const hang = last?.action === 'hang-restart';
      out.push(node(t.nodeId, `restart/${jobId}/${t.name}/${t.attempt}/${t.restartTo}`, {
        type: 'RequestTaskRestart',
        data: {
          jobId, task: t.name, attempt: t.attempt, procStartCount: t.restartTo, graceMs: options.stopGraceMs,
          reason: last ? `${last.rule}: ${last.fault.kind}${last.fault.task ? ` of ${last.fault.task}` : ''}` : 'restart in place',
          ...(hang ? { dumpSignal: options.stackDumpSignal, dumpWaitMs: options.stackDumpWaitMs } : {}),
          hosts,
        },
        metadata: m,
      }));
    }
  }
  for (const [nodeId, n] of state.nodes) {
    const s = n.state;
    if (s.status !== 'registered') continue;
    const draining = availabilityOf(s) === 'draining';
    for (const a of Object.values(s.assignments)) {
      if (a.status !== 'assigned') continue;
      const j = state.jobs.get(a.jobId)?.state;
      if (!j || j.status === 'none') continue;
      const t = j.tasks.find((x) => x.name === a.task);
      if (!t) continue;
      // Fenced: the task moved to another node at this attempt, or this node lost it.
      const moved = t.attempt === a.attempt && t.nodeId !== nodeId;
      const lost = state.lost.has(lostKey(nodeId, a.jobId, a.task, a.attempt));
      const evict = draining && !isEnded(j.status) && t.attempt === a.attempt && t.nodeId === nodeId && (t.status === 'assigned' || t.status === 'running');
      if (!moved && !lost && !evict) continue;
      const reason = evict ? 'node drained' : moved ? (t.nodeId ? `moved to ${t.nodeId}` : 'moving to another node') : `node ${nodeId} was lost; the task was recovered`;
      const graceMs = evict ? (s.isolation?.drainGraceMs ?? options.drainGraceMs) : options.stopGraceMs;
      out.push(node(nodeId, `fence/${a.jobId}/${a.task}/${a.attempt}/${nodeId}`, {
        type: 'RequestTaskStop',
        data: { jobId: a.jobId, task: a.task, attempt: a.attempt, graceMs, reason },
        metadata: m,
      }));
    }
  }
  return out;
}

function crossJobIsolations({ state, now, options }: FaultPlanInputs): FaultAction[] {
  const out: FaultAction[] = [];
  for (const [nodeId, c] of state.faultCases) {
    const n = state.nodes.get(nodeId);
    if (!n || (availabilityOf(n.state) !== 'in-service' && availabilityOf(n.state) !== 'suspect')) continue;
    const verdict = crossJobVerdict(c, now.toISOString(), options.crossJob);
    if (!verdict.isolate) continue;
    out.push(node(nodeId, `repeated-failures/${nodeId}/${n.version}`, {
      type: 'IsolateNode',
      data: { reason: 'repeated-failures', by: ACTOR, detail: verdict.detail },
      metadata: metadata(now),
    }));
  }
  return out;
}
