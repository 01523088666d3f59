import type { Capacity } from '@trainyard/contracts';
import { IncrementalPlanner, pendingJobFromSpec, planGangs, specProject, type ClusterView, type NodeView, type PastPreemption, type PendingJob, type PlannerOptions, type ReservationRecord, type RunningJob } from '@trainyard/scheduling';
import { EventHeap } from './event-heap';
import { median, type RecordedJob, type Recording } from './recording';

/** A node the simulation adds or replaces the recorded cluster with. */
export interface SimNode {
  id: string;
  host?: string;
  pool: string;
  capacity: Capacity;
  labels?: Record<string, string>;
}

export interface SimOptions {
  /** Replace the recorded nodes (`--cluster FILE`): present from the start, always in service. */
  cluster?: readonly SimNode[];
  /** Add this many nodes shaped like the recording's last registered one (`--nodes +N`). */
  extraNodes?: number;
  /** The planner's policy (`--config FILE`): the live scheduler's, for a faithful replay. */
  planner?: Partial<Omit<PlannerOptions, 'stack'>>;
  /** Length of one `maxRunHours` hour (the scheduler's `TY_HOUR_MS`). */
  hourMs?: number;
  /**
   * Also plan whenever something changes (default: with a changed cluster). A changed policy on the
   * recorded cluster may want it too: the recorded passes are when the old policy decided.
   */
  react?: boolean;
  /** Report at most this many differing decisions. */
  maxDifferences?: number;
}

/** A placement decision, the simulation's or the recording's. */
export interface SimPlacement {
  jobId: string;
  attempt: number;
  at: string;
  nodes: Record<string, string>;
  /** When its last task let go of its node (simulated runs only; absent while it holds one). */
  endedAt?: string;
}

export interface SimDifference {
  jobId: string;
  attempt: number;
  recorded: SimPlacement | null;
  simulated: SimPlacement | null;
}

export interface WaitFigures {
  jobs: number;
  p50Ms: number;
  p95Ms: number;
  /** Jobs still waiting when the replay ended (their wait counts up to then). */
  neverPlaced: number;
}

export interface SimReport {
  jobs: number;
  passes: number;
  placements: number;
  /** Queue wait (first queued → first placed) per priority, and for all. */
  waits: Record<string, WaitFigures>;
  /** Share of the cluster's cpu-time (and gpu-time, when there are gpus) its tasks held, start to end of the replay. */
  utilisation: { cpu: number; gpu: number | null };
  preemptions: number;
  /** Recoveries replayed: runs a fault sent back to the queue, and in-place restarts. */
  recoveries: number;
  /** Recorded passes planned on a cut before the pass's moment (the live fold lagged; see `simulate`). */
  inferredCuts: number;
  /** Every recorded placement made again on the same nodes, and no other. */
  identical: boolean;
  matched: number;
  recorded: number;
  /** The first decisions that differ from the recording, in simulated order. */
  differences: SimDifference[];
  placementsMade: SimPlacement[];
}

type JobPhase = 'waiting' | 'queued' | 'placed' | 'running' | 'stopping' | 'done';

interface SimJob {
  rec: RecordedJob;
  /** Its place in the recording (the order the live state holds jobs in). */
  index: number;
  phase: JobPhase;
  priority: number;
  queuedSeq: number;
  requeued: boolean;
  attempt: number;
  /** Runs started that had to be redone so far (faults consumed). */
  faultsUsed: number;
  /** Preemptions so far (the n-th takes the recording's n-th stop time). */
  preempted: number;
  nodes: Record<string, string>;
  /** Tasks still holding their node. */
  holding: Set<string>;
  startedAt?: number;
  /** The current run's last acknowledged checkpoint. */
  checkpointAt?: number;
  /** Its entry in the pass's view (queue or running), until something it shows changes. */
  view?: PendingJob | RunningJob;
  /** The parts of its views its spec decides. */
  shape?: { pending: PendingJob; running: Omit<RunningJob, 'priority' | 'startedAt' | 'nodeIds' | 'preemptedFor' | 'checkpointAt'> };
  firstPlacedAt?: number;
  preemptedFor?: string;
  /** Bumped when the job's scheduled future is cancelled (preempted, stopped). */
  gen: number;
  /** Its latest placement, as reported. */
  placement?: SimPlacement;
}

type SimEvent =
  | { at: number; tie: number; kind: 'submit'; jobId: string }
  | { at: number; tie: number; kind: 'pass'; recorded?: boolean }
  | { at: number; tie: number; kind: 'start'; jobId: string; gen: number }
  | { at: number; tie: number; kind: 'task-end'; jobId: string; task: string; gen: number }
  | { at: number; tie: number; kind: 'fault'; jobId: string; gen: number; stopMs: number }
  | { at: number; tie: number; kind: 'in-place-restart'; jobId: string; task: string; gen: number }
  | { at: number; tie: number; kind: 'requeue'; jobId: string; gen: number }
  | { at: number; tie: number; kind: 'release'; jobId: string; task: string; gen: number }
  | { at: number; tie: number; kind: 'checkpoint'; jobId: string; gen: number }
  | { at: number; tie: number; kind: 'stop'; jobId: string }
  | { at: number; tie: number; kind: 'priority'; jobId: string; to: number }
  | { at: number; tie: number; kind: 'availability'; nodeId: string; schedulable: boolean }
  | { at: number; tie: number; kind: 'register'; nodeId: string };

const HOUR_MS = 3_600_000;
/** How far behind the commits before a pass the live scheduler's fold may have been. */
const FOLD_LAG_MS = 200;
const MAX_CUTS = 24;
/** Ties at the same millisecond: what the simulation derives comes before what the recording committed next. */
const DERIVED = -1;

/**
 * Replays a recording's submissions, stops, priority changes and node events through the real
 * planner (libs/scheduling `planGangs`) on a virtual clock: no processes; each task runs as long as
 * it did in the recording (from its run's start to its exit), a fault sends the job back to the queue
 * after as long as it ran before its recorded fault. The planner decides at the recording's own pass
 * moments (the scheduler's commits' `now`, after the commits that preceded them); with a changed
 * cluster it also decides whenever something changed, as the live scheduler reacts to every commit.
 * The view holds what the live pass's view holds (`buildClusterView`): each job's project, the
 * victims' recent preemptions for the cycle guard, each run's acknowledged checkpoints (victims
 * by least work lost), the previous plan's reservations. Not quotas: an
 * export holds no identity commits, where `QuotaSet` lives, so a recording made under quotas does
 * not replay their decisions. Wait reasons are not asked for (`completeWaitReasons` adds reasons,
 * it changes no decision). Pure and deterministic: the same recording and options give the same report.
 */
export function simulate(rec: Recording, opts: SimOptions = {}): SimReport {
  // A changed cluster (or a recording without passes) also decides whenever something changes; the
  // recorded cluster decides at the recorded passes only, or it would decide earlier than it did.
  const counterfactual = opts.react ?? (opts.cluster !== undefined || (opts.extraNodes ?? 0) > 0 || rec.passes.length === 0);
  const hourMs = opts.hourMs ?? HOUR_MS;
  const heap = new EventHeap<SimEvent>();
  const nodes = new Map<string, { view: Omit<NodeView, 'used'>; registered: boolean }>();
  const used = new Map<string, { cpu: number; memoryMiB: number; gpu: number; npu: number }>();
  const jobs = new Map<string, SimJob>();
  // Jobs queued or holding a node, in recording order: what a pass's view is built from (a long
  // replay has many more done). Submissions come in time order, which is recording order but for
  // a millisecond's interleaving: then the set is put back in order once.
  let live = new Set<SimJob>();
  let liveMax = -1;
  let liveUnordered = false;
  // The live scheduler's planner, kept between passes: the nodes and the jobs holding capacity are
  // set as they change (`touch`, `changedNodes`), and each pass plans on what they left.
  const planner = new IncrementalPlanner({ ...opts.planner });
  const changed = new Set<SimJob>();
  const changedNodes = new Set<string>();
  // Queued jobs, in recording order (as `live`).
  let queued = new Set<SimJob>();
  let queuedMax = -1;
  let queuedUnordered = false;
  const placements: SimPlacement[] = [];
  let reservations: readonly ReservationRecord[] = [];
  // Each victim's last preemptions, as the live fold keeps them (`preemptedBy`): the cycle guard reads them.
  const preemptedBy = new Map<string, PastPreemption[]>();
  let recentPreemptions: PastPreemption[] | undefined;
  let passes = 0;
  let preemptions = 0;
  let recoveries = 0;
  let requeueSeq = 1e12;
  let now = rec.start;
  let lastPassScheduled = -Infinity;
  // Utilisation: cpu and gpu held by tasks, integrated over virtual time.
  let heldCpu = 0;
  let heldGpu = 0;
  let cpuTime = 0;
  let gpuTime = 0;
  let lastT = rec.start;
  const allPreemptStops = rec.jobs.flatMap((j) => j.preemptStopMs);
  const preemptStopDefault = median(allPreemptStops);
  // How soon after a change the live scheduler decided: the typical gap between a job's queueing and its placement at once.
  const reactMs = Math.max(1, median(rec.jobs.filter((j) => j.placements[0]).map((j) => j.placements[0].at - j.queuedAt).filter((d) => d >= 0 && d < 1_000)));

  // ---- the cluster
  if (opts.cluster) {
    for (const n of opts.cluster) addNode({ id: n.id, host: n.host ?? n.id, pool: n.pool, capacity: n.capacity, labels: n.labels ?? {}, schedulable: true }, true);
  } else {
    for (const n of rec.nodes) {
      addNode({ id: n.id, host: n.host, pool: n.pool, capacity: n.capacity, labels: n.labels, schedulable: true }, false);
      heap.push({ at: n.registeredAt, tie: 0, kind: 'register', nodeId: n.id });
      for (const a of n.availability) heap.push({ at: a.at, tie: a.seq, kind: 'availability', nodeId: n.id, schedulable: a.schedulable });
    }
  }
  const template = [...rec.nodes].sort((a, b) => a.registeredAt - b.registeredAt).at(-1) ?? (opts.cluster?.length ? { ...opts.cluster[opts.cluster.length - 1], host: 'sim', labels: {} } : undefined);
  for (let i = 1; i <= (opts.extraNodes ?? 0) && template; i++) {
    addNode({ id: `sim-node-${i}`, host: `sim-node-${i}`, pool: template.pool, capacity: template.capacity, labels: { ...template.labels }, schedulable: true }, true);
  }

  // ---- the recorded inputs
  for (const j of rec.jobs) {
    jobs.set(j.id, { rec: j, index: jobs.size, phase: 'waiting', priority: j.priority, queuedSeq: j.queuedSeq, requeued: false, attempt: 0, faultsUsed: 0, preempted: 0, nodes: {}, holding: new Set(), gen: 0 });
    heap.push({ at: j.queuedAt, tie: j.queuedSeq, kind: 'submit', jobId: j.id });
    if (j.stoppedAt !== undefined) heap.push({ at: j.stoppedAt, tie: j.stoppedSeq ?? 0, kind: 'stop', jobId: j.id });
    for (const p of j.priorityChanges) heap.push({ at: p.at, tie: p.seq, kind: 'priority', jobId: j.id, to: p.to });
  }
  for (const p of rec.passes) heap.push({ at: p.at, tie: p.seq, kind: 'pass', recorded: true });
  // What each recorded pass decided: placements (job → nodes) and victims, by the pass's time.
  const decidedAt = new Map<number, { place: Map<string, Record<string, string>>; preempt: Set<string> }>();
  for (const j of rec.jobs) {
    for (const p of j.placements) {
      const d = decidedAt.get(p.at) ?? { place: new Map(), preempt: new Set() };
      d.place.set(j.id, p.nodes);
      decidedAt.set(p.at, d);
    }
    for (const at of j.preemptedAt) {
      const d = decidedAt.get(at) ?? { place: new Map(), preempt: new Set() };
      d.preempt.add(j.id);
      decidedAt.set(at, d);
    }
  }
  // Inputs the live scheduler may not have folded yet when a pass began (see `pass`).
  // Kept in commit order (`order`): the live fold is a prefix of the log, and commits of nearby
  // moments reach the log out of time order (two agents' exits a millisecond apart).
  const recent: { at: number; order: number; ev: SimEvent }[] = [];
  let inferredCuts = 0;

  // ---- run
  for (let ev = heap.pop(); ev; ev = heap.pop()) {
    now = ev.at;
    if (ev.kind === 'pass') {
      pass(ev.recorded === true);
      continue;
    }
    const changed = apply(ev);
    if (changed && !counterfactual && (ev.kind === 'task-end' || ev.kind === 'release' || ev.kind === 'submit')) {
      // A derived input has no commit of its own: it stands where the replay reached it.
      const order = ev.tie >= 0 ? ev.tie : (recent.at(-1)?.order ?? 0);
      remember({ at: now, order, ev });
    }
    if (changed && counterfactual && lastPassScheduled < now) {
      heap.push({ at: now + reactMs, tie: Number.MAX_SAFE_INTEGER, kind: 'pass' });
      lastPassScheduled = now + reactMs;
    }
  }
  const end = Math.max(now, rec.end);
  return report(end);

  /** Keeps `recent` in commit order, within FOLD_LAG_MS of now, the last MAX_CUTS (in place: it runs at every input). */
  function remember(r: (typeof recent)[number]): void {
    recent.push(r);
    for (let i = recent.length - 1; i > 0 && recent[i - 1].order > recent[i].order; i--) [recent[i - 1], recent[i]] = [recent[i], recent[i - 1]];
    let k = 0;
    for (const x of recent) if (x.at > now - FOLD_LAG_MS) recent[k++] = x;
    recent.length = k;
    if (k > MAX_CUTS) recent.splice(0, k - MAX_CUTS);
  }

  function addNode(view: Omit<NodeView, 'used'>, registered: boolean): void {
    nodes.set(view.id, { view, registered });
    used.set(view.id, { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 });
    changedNodes.add(view.id);
  }

  function apply(ev: Exclude<SimEvent, { kind: 'pass' }>): boolean {
    switch (ev.kind) {
      case 'register': {
        const n = nodes.get(ev.nodeId);
        if (n) n.registered = true;
        if (n) changedNodes.add(ev.nodeId);
        return true;
      }
      case 'availability': {
        const n = nodes.get(ev.nodeId);
        if (n) n.view = { ...n.view, schedulable: ev.schedulable };
        if (n) changedNodes.add(ev.nodeId);
        return true;
      }
      case 'submit': {
        const j = jobs.get(ev.jobId)!;
        if (j.phase === 'waiting') {
          j.phase = 'queued';
          touch(j);
          live.add(j);
          if (j.index < liveMax) liveUnordered = true;
          liveMax = Math.max(liveMax, j.index);
        }
        return true;
      }
      case 'priority': {
        const j = jobs.get(ev.jobId)!;
        if (j.phase === 'queued' && j.attempt === 0) {
          j.priority = ev.to;
          touch(j);
        }
        return true;
      }
      case 'stop': {
        const j = jobs.get(ev.jobId)!;
        if (j.phase === 'done') return false;
        release(j);
        j.phase = 'done';
        touch(j);
        live.delete(j);
        j.gen++;
        return true;
      }
      case 'start': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen !== ev.gen || j.phase !== 'placed') return false;
        j.phase = 'running';
        touch(j);
        j.startedAt = now;
        j.checkpointAt = undefined;
        for (const ms of j.rec.checkpointMs?.[j.attempt - 1] ?? []) heap.push({ at: now + ms, tie: DERIVED, kind: 'checkpoint', jobId: j.rec.id, gen: j.gen });
        const fault = j.rec.faultRuns[j.faultsUsed];
        if (fault) {
          heap.push({ at: now + fault.ranMs, tie: DERIVED, kind: 'fault', jobId: j.rec.id, gen: j.gen, stopMs: fault.stopMs });
          for (const [task, ms] of Object.entries(fault.taskExitMs ?? {})) heap.push({ at: now + ms, tie: DERIVED, kind: 'release', jobId: j.rec.id, task, gen: j.gen });
        } else if (j.rec.taskRunMs) {
          for (const task of Object.keys(j.nodes)) heap.push({ at: now + (j.rec.taskRunMs[task] ?? 0), tie: j.rec.taskEndSeq?.[task] ?? DERIVED, kind: 'task-end', jobId: j.rec.id, task, gen: j.gen });
          // A task down for an in-place restart keeps its node (domain `tasksHoldingNodes`): the gap counts a recovery only.
          for (const g of j.rec.restartGaps ?? []) heap.push({ at: now + g.fromMs, tie: DERIVED, kind: 'in-place-restart', jobId: j.rec.id, task: g.task, gen: j.gen });
        }
        return false;
      }
      case 'checkpoint': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen === ev.gen && j.phase === 'running') {
          j.checkpointAt = now;
          touch(j);
          }
        return false;
      }
      case 'task-end': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen !== ev.gen) return false;
        releaseTask(j, ev.task);
        if (j.holding.size === 0) {
          j.phase = 'done';
          touch(j);
          live.delete(j);
        }
        return true;
      }
      case 'release': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen !== ev.gen) return false;
        releaseTask(j, ev.task);
        return true;
      }
      case 'in-place-restart': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen === ev.gen && j.nodes[ev.task]) recoveries++;
        return false;
      }
      case 'fault': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen !== ev.gen) return false;
        recoveries++;
        j.faultsUsed++;
        j.phase = 'stopping';
        touch(j);
        heap.push({ at: now + ev.stopMs, tie: DERIVED, kind: 'requeue', jobId: j.rec.id, gen: j.gen });
        return false;
      }
      case 'requeue': {
        const j = jobs.get(ev.jobId)!;
        if (j.gen !== ev.gen) return false;
        release(j);
        j.phase = 'queued';
        touch(j);
        j.requeued = true;
        j.preemptedFor = undefined;
        j.queuedSeq = requeueSeq++;
        j.gen++;
        return true;
      }
    }
  }

  /**
   * One planning pass. At a recorded pass the live scheduler planned on the log as it had folded it,
   * which may lag the commits just before the pass by some milliseconds (the log does not say how
   * far it had got): the replay tries the cut at the pass first, then without the last inputs one by
   * one (up to FOLD_LAG_MS back), and keeps the first cut under which the planner makes the decisions
   * the recording shows. "Last" is in commit order: a fold is a prefix of the log, and two agents'
   * exits a millisecond apart may reach it in the other order. The decisions are always the
   * planner's; only what it had seen is inferred.
   */
  function pass(recorded: boolean): void {
    passes++;
    const wanted = recorded ? decidedAt.get(now) : undefined;
    flush();
    const queue: PendingJob[] = [];
    for (const j of queued) queue.push(j.view as PendingJob);
    let plan = planner.plan({ now: new Date(now).toISOString(), queue, ...passInputs() });
    if (wanted && !sameDecisions(plan, wanted)) {
      for (let k = 1; k <= recent.length; k++) {
        const candidate = planGangs(buildView(recent.slice(-k).map((r) => r.ev)), { ...opts.planner });
        if (sameDecisions(candidate, wanted)) {
          plan = candidate;
          inferredCuts++;
          break;
        }
      }
    }
    reservations = plan.reservations;
    for (const p of plan.place) {
      const j = jobs.get(p.jobId)!;
      j.attempt++;
      j.phase = 'placed';
      touch(j);
      j.requeued = false;
      j.nodes = Object.fromEntries(p.placements.map((x) => [x.task, x.nodeId]));
      j.holding = new Set(Object.keys(j.nodes));
      for (const nodeId of Object.values(j.nodes)) take(nodeId, j, 1);
      j.firstPlacedAt ??= now;
      j.placement = { jobId: p.jobId, attempt: j.attempt, at: new Date(now).toISOString(), nodes: j.nodes };
      placements.push(j.placement);
      heap.push({ at: now + (j.rec.startLatencies?.[j.attempt - 1] ?? j.rec.startLatencyMs), tie: DERIVED, kind: 'start', jobId: p.jobId, gen: j.gen });
    }
    for (const p of plan.preempt) {
      const v = jobs.get(p.victimJobId)!;
      if (v.phase !== 'running' && v.phase !== 'placed') continue;
      preemptions++;
      v.phase = 'stopping';
      touch(v);
      v.preemptedFor = p.forJobId;
      preemptedBy.set(v.rec.id, [...(preemptedBy.get(v.rec.id) ?? []), { victimJobId: v.rec.id, forJobId: p.forJobId, at: new Date(now).toISOString() }].slice(-5));
      recentPreemptions = undefined;
      v.gen++;
      const stopMs = v.rec.preemptStopMs[v.preempted] ?? preemptStopDefault;
      // Each task lets go of its node when it exits, before the job is queued again.
      for (const [task, ms] of Object.entries(v.rec.preemptTaskStopMs?.[v.preempted] ?? {})) heap.push({ at: now + ms, tie: DERIVED, kind: 'release', jobId: v.rec.id, task, gen: v.gen });
      v.preempted++;
      heap.push({ at: now + stopMs, tie: DERIVED, kind: 'requeue', jobId: v.rec.id, gen: v.gen });
    }
  }

  function buildView(unseen: readonly SimEvent[] = []): ClusterView {
    // Inputs the pass has not seen: tasks that still hold their node, jobs not yet queued.
    const notSubmitted = new Set<string>();
    const stillHolding = new Map<string, Set<string>>();
    for (const e of unseen) {
      if (e.kind === 'submit') notSubmitted.add(e.jobId);
      if (e.kind === 'task-end' || e.kind === 'release') stillHolding.set(e.jobId, new Set([...(stillHolding.get(e.jobId) ?? []), e.task]));
    }
    const nodeViews: NodeView[] = [];
    for (const [id, n] of nodes) {
      if (!n.registered) continue;
      const u = { ...used.get(id)! };
      for (const [jobId, tasks] of stillHolding) {
        const j = jobs.get(jobId)!;
        const f = j.rec.spec.spec.resource.flavor;
        for (const t of tasks) {
          if (j.nodes[t] !== id) continue;
          u.cpu = round(u.cpu + f.cpu);
          u.memoryMiB = round(u.memoryMiB + f.memoryMiB);
          u.gpu = round(u.gpu + (f.gpu ?? 0));
          u.npu = round(u.npu + (f.npu ?? 0));
        }
      }
      nodeViews.push({ ...n.view, used: u });
    }
    const queue: PendingJob[] = [];
    const running: RunningJob[] = [];
    if (liveUnordered) {
      live = new Set([...live].sort(byIndex));
      liveUnordered = false;
    }
    // A job the cut has not seen end yet is done in the replay but still holds its node in the view.
    const seen = stillHolding.size ? [...new Set([...live, ...[...stillHolding.keys()].map((id) => jobs.get(id)!)])].sort(byIndex) : live;
    for (const j of seen) {
      const held = stillHolding.get(j.rec.id);
      const holding = held ? new Set([...j.holding, ...held]) : j.holding;
      if (j.phase === 'queued' && notSubmitted.has(j.rec.id)) continue;
      // What the cut has not seen makes a one-off entry; otherwise the job's own, kept until it changes.
      const own = holding === j.holding;
      const entry = own && j.view ? j.view : entryOf(j, holding, held !== undefined);
      if (own) j.view = entry;
      if (entry) (j.phase === 'queued' ? queue : running).push(entry as never);
    }
    return { now: new Date(now).toISOString(), nodes: nodeViews, queue, running, ...passInputs() };
  }

  /** What a pass is given besides the cluster: the previous plan's holds, the victims' recent preemptions. */
  function passInputs(): { reservations: readonly ReservationRecord[]; recentPreemptions?: PastPreemption[] } {
    recentPreemptions ??= [...preemptedBy.values()].flat();
    return { reservations, ...(recentPreemptions.length ? { recentPreemptions } : {}) };
  }

  /**
   * A job's entry in a pass's view: queued, holding capacity (with `holding`, its tasks that do), or
   * none. `heldUnseen`: a cut has not seen its last tasks end, so a job done here still holds them.
   */
  function entryOf(j: SimJob, holding: ReadonlySet<string>, heldUnseen: boolean): PendingJob | RunningJob | undefined {
    const shape = (j.shape ??= shapeOf(j.rec));
    if (j.phase === 'queued') return { ...shape.pending, queuedSeq: j.queuedSeq, priority: j.priority, ...(j.requeued ? { requeued: true } : {}) };
    if (!holding.size || !(j.phase === 'placed' || j.phase === 'running' || j.phase === 'stopping' || (heldUnseen && j.phase === 'done'))) return undefined;
    // One shape for every entry (absent = undefined): the planner reads them all the same way.
    const r = shape.running;
    return {
      jobId: r.jobId, pool: r.pool, priority: j.priority, preemptible: r.preemptible,
      startedAt: (j.phase === 'running' || j.phase === 'done') && j.startedAt !== undefined ? new Date(j.startedAt).toISOString() : undefined,
      maxRunHours: r.maxRunHours, flavor: r.flavor, nodeIds: [...holding].map((t) => j.nodes[t]), affinityGroupSize: r.affinityGroupSize,
      preemptedFor: j.phase === 'stopping' && j.preemptedFor ? j.preemptedFor : undefined, project: r.project,
      checkpointAt: j.checkpointAt !== undefined ? new Date(j.checkpointAt).toISOString() : undefined,
    };
  }

  /** Something a job's entry shows changed: the planner is told before the next pass. */
  function touch(j: SimJob): void {
    j.view = undefined;
    changed.add(j);
  }

  /** Tells the planner what changed since the last pass: nodes' usage and availability, jobs. */
  function flush(): void {
    for (const id of changedNodes) {
      const n = nodes.get(id)!;
      if (n.registered) planner.setNode({ ...n.view, used: { ...used.get(id)! } });
    }
    changedNodes.clear();
    for (const j of changed) {
      const entry = (j.view ??= entryOf(j, j.holding, false));
      if (entry && j.phase !== 'queued') planner.setRunning(entry as RunningJob);
      else planner.removeRunning(j.rec.id);
      if (j.phase !== 'queued') queued.delete(j);
      else if (!queued.has(j)) {
        queued.add(j);
        if (j.index < queuedMax) queuedUnordered = true;
        queuedMax = Math.max(queuedMax, j.index);
      }
    }
    changed.clear();
    if (queuedUnordered) {
      queued = new Set([...queued].sort(byIndex));
      queuedUnordered = false;
    }
  }

  /** What the views need of a job's spec, worked out once (the spec does not change). */
  function shapeOf(rec: RecordedJob): NonNullable<SimJob['shape']> {
    const r = rec.spec.spec;
    const project = specProject(rec.spec);
    return {
      pending: pendingJobFromSpec(rec.id, rec.spec, { queuedSeq: 0, ...(project ? { project } : {}) }),
      running: {
        jobId: rec.id, pool: r.resource.pool ?? 'default', preemptible: r.preemptible ?? false, flavor: r.resource.flavor,
        ...(r.maxRunHours !== undefined ? { maxRunHours: (r.maxRunHours * hourMs) / HOUR_MS } : {}),
        ...(r.resource.affinityGroupSize && r.resource.affinityGroupSize > 1 ? { affinityGroupSize: r.resource.affinityGroupSize } : {}),
        ...(project ? { project } : {}),
      },
    };
  }

  function take(nodeId: string, j: SimJob, sign: 1 | -1): void {
    const f = j.rec.spec.spec.resource.flavor;
    const u = used.get(nodeId);
    if (!u) return;
    u.cpu = round(u.cpu + sign * f.cpu);
    u.memoryMiB = round(u.memoryMiB + sign * f.memoryMiB);
    u.gpu = round(u.gpu + sign * (f.gpu ?? 0));
    u.npu = round(u.npu + sign * (f.npu ?? 0));
    changedNodes.add(nodeId);
    busy(nodeId, sign * f.cpu, sign * (f.gpu ?? 0));
  }

  function releaseTask(j: SimJob, task: string): void {
    if (!j.holding.delete(task)) return;
    touch(j);
    take(j.nodes[task], j, -1);
    if (j.holding.size === 0 && j.placement) j.placement.endedAt = new Date(now).toISOString();
  }

  function release(j: SimJob): void {
    for (const task of [...j.holding]) releaseTask(j, task);
  }

  // Utilisation: held cpu/gpu integrated over time.
  function busy(_nodeId: string, dCpu: number, dGpu: number): void {
    integrate();
    heldCpu += dCpu;
    heldGpu += dGpu;
  }
  function integrate(): void {
    cpuTime += heldCpu * (now - lastT);
    gpuTime += heldGpu * (now - lastT);
    lastT = now;
  }

  function report(endAt: number): SimReport {
    now = endAt;
    integrate();
    const span = Math.max(1, endAt - rec.start);
    let capCpu = 0;
    let capGpu = 0;
    for (const n of nodes.values()) {
      capCpu += n.view.capacity.cpu;
      capGpu += n.view.capacity.gpu ?? 0;
    }
    const waits: Record<string, number[]> = { all: [] };
    const never: Record<string, number> = { all: 0 };
    for (const j of jobs.values()) {
      if (j.phase === 'waiting') continue;
      const key = `priority-${j.rec.priority}`;
      const placedAt = j.firstPlacedAt;
      if (placedAt === undefined && j.rec.stoppedAt !== undefined && j.phase === 'done') continue;
      const wait = (placedAt ?? endAt) - j.rec.queuedAt;
      (waits[key] ??= []).push(wait);
      waits.all.push(wait);
      if (placedAt === undefined) {
        never[key] = (never[key] ?? 0) + 1;
        never.all++;
      }
    }
    const figures: Record<string, WaitFigures> = {};
    for (const [k, xs] of Object.entries(waits)) figures[k] = { jobs: xs.length, p50Ms: pct(xs, 0.5), p95Ms: pct(xs, 0.95), neverPlaced: never[k] ?? 0 };
    const diff = compare(rec, placements, opts.maxDifferences ?? 10);
    return {
      jobs: jobs.size,
      passes,
      placements: placements.length,
      waits: figures,
      utilisation: { cpu: capCpu ? round(cpuTime / (capCpu * span)) : 0, gpu: capGpu ? round(gpuTime / (capGpu * span)) : null },
      preemptions,
      recoveries,
      inferredCuts,
      ...diff,
      placementsMade: placements,
    };
  }
}

const byIndex = (a: SimJob, b: SimJob) => a.index - b.index;

/** Recorded placements against simulated ones, by (job, attempt). */
function compare(rec: Recording, made: readonly SimPlacement[], max: number): Pick<SimReport, 'identical' | 'matched' | 'recorded' | 'differences'> {
  const key = (jobId: string, attempt: number) => `${jobId}#${attempt}`;
  const recorded = new Map<string, SimPlacement>();
  for (const j of rec.jobs) for (const p of j.placements) recorded.set(key(j.id, p.attempt), { jobId: j.id, attempt: p.attempt, at: new Date(p.at).toISOString(), nodes: p.nodes });
  const differences: SimDifference[] = [];
  let matched = 0;
  const seen = new Set<string>();
  for (const s of made) {
    const k = key(s.jobId, s.attempt);
    seen.add(k);
    const r = recorded.get(k);
    if (r && sameNodes(r.nodes, s.nodes)) matched++;
    else if (differences.length < max) differences.push({ jobId: s.jobId, attempt: s.attempt, recorded: r ?? null, simulated: s });
  }
  const missing = [...recorded.entries()].filter(([k]) => !seen.has(k));
  for (const [, r] of missing.slice(0, Math.max(0, max - differences.length))) differences.push({ jobId: r.jobId, attempt: r.attempt, recorded: r, simulated: null });
  return { identical: matched === recorded.size && made.length === recorded.size, matched, recorded: recorded.size, differences };
}

/** Whether a plan makes exactly the decisions a recorded pass shows. */
function sameDecisions(plan: { place: readonly { jobId: string; placements: readonly { task: string; nodeId: string }[] }[]; preempt: readonly { victimJobId: string }[] }, wanted: { place: Map<string, Record<string, string>>; preempt: Set<string> }): boolean {
  if (plan.place.length !== wanted.place.size || plan.preempt.length !== wanted.preempt.size) return false;
  for (const p of plan.place) {
    const w = wanted.place.get(p.jobId);
    if (!w || !sameNodes(w, Object.fromEntries(p.placements.map((x) => [x.task, x.nodeId])))) return false;
  }
  return plan.preempt.every((v) => wanted.preempt.has(v.victimJobId));
}

function sameNodes(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function pct(xs: readonly number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

const round = (n: number) => Math.round(n * 1000) / 1000;
