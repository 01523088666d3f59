import { seededRandom } from '@trainyard/domain';
import { NodeLabel, PlanSession, type ClusterView, type NodeView, type PastUsage, type PendingJob, type PlannerOptions, type ProjectQuota, type RunningJob } from '@trainyard/scheduling';

/** Shape of the synthetic cluster and queue. Every number is an input; the seed fixes the rest. */
export interface PlannerBenchOptions {
  nodes: number;
  gpusPerNode: number;
  supernodeSize: number;
  /** Instances queued, over all jobs. */
  tasks: number;
  /** Share of the nodes busy with running jobs when the pass starts. */
  busyNodes: number;
  /** Share of queued jobs with supernode affinity groups. */
  affinityGroupShare: number;
  /** Share of jobs (queued and running) that are preemptible. */
  preemptibleShare: number;
  /** GPUs per instance of gangs without groups; undefined = mixed (1–8 single, 8 for gangs). */
  instanceGpus?: number;
  /**
   * Projects under quotas: jobs (queued and running) are spread over this many projects, each with a
   * guaranteed share of the pool's GPUs (cpu and memory in proportion), in cohorts of 10 that lend
   * idle quota, with fair-share weights 1–3 and some past usage. Absent = no quotas.
   */
  projects?: number;
  seed: number;
}

export const DEFAULT_PLANNER_BENCH: PlannerBenchOptions = {
  nodes: 10_000,
  gpusPerNode: 8,
  supernodeSize: 8,
  tasks: 100_000,
  busyNodes: 0.4,
  affinityGroupShare: 0.3,
  preemptibleShare: 0.1,
  seed: 20260313,
};

/**
 * Placement-bound: an empty cluster and 1-GPU instances (10% in affinity groups), so most of the
 * 100,000 tasks are placed and the figure measures placing rather than explaining why jobs wait.
 */
export const PLACEMENT_BOUND_BENCH: PlannerBenchOptions = { ...DEFAULT_PLANNER_BENCH, busyNodes: 0, affinityGroupShare: 0.1, instanceGpus: 1 };

/** The mixed workload over 100 projects under quotas (cohorts, borrowing, fair share, complete wait reasons). */
export const QUOTA_BENCH: PlannerBenchOptions = { ...DEFAULT_PLANNER_BENCH, projects: 100 };

/** A CPU pool: 10,000 nodes of 64 cores, 100,000 instances of 1–4 cores, 20% of nodes busy. */
export const CPU_POOL_BENCH: PlannerBenchOptions = { ...DEFAULT_PLANNER_BENCH, gpusPerNode: 0, busyNodes: 0.2, affinityGroupShare: 0.05, instanceGpus: undefined };

export interface PlannerBenchResult {
  nodes: number;
  supernodes: number;
  queued_jobs: number;
  queued_tasks: number;
  running_jobs: number;
  placed_jobs: number;
  planned_placements: number;
  waiting_jobs: number;
  /** Waiting because of their project's quota. */
  quota_waiting: number;
  preemptions: number;
  reservations: number;
  /** Indexing the view (once per pass). */
  build_ms: number;
  /** Deciding every job. */
  decide_ms: number;
  total_ms: number;
  /** Placements ÷ (build + decide), wall clock. */
  planned_placements_per_s: number;
  /** CPU time of the pass (user + system, all threads incl. GC): less sensitive to other load. */
  cpu_ms: number;
  planned_placements_per_cpu_s: number;
  decision_p50_ms: number;
  decision_p99_ms: number;
  decision_max_ms: number;
  /** The decision p99 among placed jobs only, and among waiting jobs only. */
  placed_decision_p99_ms: number;
  waiting_decision_p99_ms: number;
}

/**
 * One planning pass over a synthetic cluster, timed job by job through `PlanSession.step()`: the
 * pure planner only, no I/O. The committed-placement figures (through the event log) come from
 * `bench/scheduler-committed.ts`.
 *
 * @example
 * ```ts
 * const r = measurePlanner({ ...DEFAULT_PLANNER_BENCH, nodes: 1000, tasks: 10_000 });
 * r.planned_placements_per_s; // target ≥ 20,000 at 10,000 nodes / 100,000 tasks
 * ```
 */
export function measurePlanner(opts: PlannerBenchOptions = DEFAULT_PLANNER_BENCH, plannerOptions: Partial<PlannerOptions> = {}): PlannerBenchResult {
  const view = syntheticCluster(opts);
  // Collect the generator's garbage first (with --expose-gc) so the pass pays only for its own.
  (globalThis as { gc?: () => void }).gc?.();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const session = new PlanSession(view, plannerOptions);
  const t1 = performance.now();
  const times: number[] = [];
  const placedTimes: number[] = [];
  const waitingTimes: number[] = [];
  while (!session.done) {
    const s = performance.now();
    const d = session.step();
    const ms = performance.now() - s;
    times.push(ms);
    (d.outcome === 'placed' ? placedTimes : waitingTimes).push(ms);
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const plan = session.plan();
  const placements = plan.place.reduce((n, p) => n + p.placements.length, 0);
  return {
    nodes: view.nodes.length,
    supernodes: Math.ceil(opts.nodes / opts.supernodeSize),
    queued_jobs: view.queue.length,
    queued_tasks: view.queue.reduce((n, j) => n + j.nodeCount, 0),
    running_jobs: view.running?.length ?? 0,
    placed_jobs: plan.place.length,
    planned_placements: placements,
    waiting_jobs: plan.waiting.length,
    quota_waiting: plan.waiting.filter((w) => w.reason === 'QUOTA_EXCEEDED').length,
    preemptions: plan.preempt.length,
    reservations: plan.reservations.length,
    build_ms: round(t1 - t0),
    decide_ms: round(t2 - t1),
    total_ms: round(t2 - t0),
    planned_placements_per_s: Math.round((placements / (t2 - t0)) * 1000),
    cpu_ms: round(cpuMs),
    planned_placements_per_cpu_s: Math.round((placements / cpuMs) * 1000),
    decision_p50_ms: round(quantile(times, 0.5), 3),
    decision_p99_ms: round(quantile(times, 0.99), 3),
    decision_max_ms: round(Math.max(...times), 3),
    placed_decision_p99_ms: round(quantile(placedTimes, 0.99), 3),
    waiting_decision_p99_ms: round(quantile(waitingTimes, 0.99), 3),
  };
}

/**
 * A deterministic cluster and queue: `nodes` nodes of `gpusPerNode` GPUs in supernodes of
 * `supernodeSize`; a share of the nodes busy with running jobs (1-, 8- and 64-instance, some
 * preemptible, most with a known end); then a queue of `tasks` instances as 1-, 8- and 64-instance
 * gangs, with priorities 1–3, some re-queued, some with supernode affinity groups (whole nodes).
 */
export function syntheticCluster(o: PlannerBenchOptions): ClusterView {
  // Seeded (mulberry32): the bench must be reproducible.
  const rand = seededRandom(o.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const now = Date.parse('2026-03-13T10:00:00.000Z');
  // gpusPerNode 0 = a CPU pool: 64-core nodes, instances of 1–4 cores.
  const cpuPool = o.gpusPerNode === 0;
  const capacity = cpuPool
    ? { cpu: 64, memoryMiB: 256 * 1024, gpu: 0, npu: 0 }
    : { cpu: 16 * o.gpusPerNode, memoryMiB: 128 * 1024 * o.gpusPerNode, gpu: o.gpusPerNode, npu: 0, acceleratorType: 'nvidia-h100' };
  const nodes: NodeView[] = Array.from({ length: o.nodes }, (_, i) => ({
    id: `n${String(i).padStart(5, '0')}`,
    host: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    pool: 'default',
    capacity,
    used: { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 },
    labels: { [NodeLabel.Supernode]: `sn${String(Math.floor(i / o.supernodeSize)).padStart(4, '0')}`, rack: `r${i % 40}` },
    schedulable: rand() > 0.002,
  }));
  const perGpu = (g: number) => (cpuPool ? { cpu: [1, 2, 4][g % 3], memoryMiB: 4096 } : { cpu: 16 * g, memoryMiB: 128 * 1024 * g, gpu: g, acceleratorType: 'nvidia-h100' });

  // Running load: walk the nodes, filling a share of them with whole-node or partial tasks.
  const projectOf = (k: number) => (o.projects ? { project: `proj-${String(k % o.projects).padStart(3, '0')}` } : {});
  const running: RunningJob[] = [];
  const busy = Math.floor(o.nodes * o.busyNodes);
  for (let i = 0, k = 0; i < busy; k++) {
    const size = Math.min(pick([1, 1, 1, 8, 8, 64]), busy - i);
    const gpus = size === 1 ? pick([1, 2, 4, 8]) : 8;
    const ids = nodes.slice(i, i + size).map((n) => n.id);
    i += size;
    running.push({
      jobId: `run-${k}`,
      pool: 'default',
      priority: pick([1, 1, 1, 2, 2, 3]),
      preemptible: rand() < o.preemptibleShare,
      startedAt: new Date(now - Math.floor(rand() * 10 * 3_600_000)).toISOString(),
      flavor: perGpu(gpus),
      nodeIds: ids,
      ...(rand() < 0.7 ? { maxRunHours: 1 + Math.floor(rand() * 24) } : {}),
      ...projectOf(k),
    });
  }
  const usedOf = new Map<string, { cpu: number; memoryMiB: number; gpu: number; npu: number }>();
  for (const r of running) {
    for (const id of r.nodeIds) {
      const u = usedOf.get(id) ?? { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
      usedOf.set(id, { cpu: u.cpu + r.flavor.cpu, memoryMiB: u.memoryMiB + r.flavor.memoryMiB, gpu: u.gpu + (r.flavor.gpu ?? 0), npu: 0 });
    }
  }
  for (const n of nodes) n.used = usedOf.get(n.id) ?? n.used;

  const queue: PendingJob[] = [];
  for (let tasks = 0, k = 0; tasks < o.tasks; k++) {
    const nodeCount = Math.min(pick([1, 1, 1, 1, 8, 8, 8, 64]), o.tasks - tasks);
    tasks += nodeCount;
    const grouped = rand() < o.affinityGroupShare;
    const groupSize = grouped ? [8, 4, 2, 1].find((n) => nodeCount % n === 0 && n <= nodeCount)! : 0;
    queue.push({
      jobId: `job-${k}`,
      priority: pick([1, 1, 1, 2, 2, 3]),
      queuedSeq: k + 1,
      pool: 'default',
      flavor: perGpu(grouped ? 8 : (o.instanceGpus ?? (nodeCount > 1 ? 8 : pick([1, 2, 4, 8])))),
      nodeCount,
      ...(grouped ? { affinityGroupSize: groupSize } : {}),
      ...(rand() < 0.02 ? { requeued: true } : {}),
      ...(rand() < 0.7 ? { maxRunHours: 1 + Math.floor(rand() * 72) } : {}),
      ...(o.projects ? { ...projectOf(k * 7), preemptible: rand() < o.preemptibleShare } : {}),
    });
  }
  const view: ClusterView = { now: new Date(now).toISOString(), nodes, queue, running };
  if (o.projects) view.quotas = syntheticQuotas(o.projects, nodes, rand);
  return view;
}

/** Guarantees that split the pool evenly (cohorts of 10), weights 1–3, past usage around the guarantee. */
function syntheticQuotas(projects: number, nodes: readonly NodeView[], rand: () => number): { quotas: ProjectQuota[]; usage: PastUsage[] } {
  const total = nodes.reduce((t, n) => ({ cpu: t.cpu + n.capacity.cpu, memoryMiB: t.memoryMiB + n.capacity.memoryMiB, gpu: t.gpu + n.capacity.gpu }), { cpu: 0, memoryMiB: 0, gpu: 0 });
  const quotas: ProjectQuota[] = [];
  const usage: PastUsage[] = [];
  for (let p = 0; p < projects; p++) {
    const project = `proj-${String(p).padStart(3, '0')}`;
    const share = (x: number) => Math.floor(x / projects);
    quotas.push({
      project,
      pool: 'default',
      cohort: `cohort-${Math.floor(p / 10)}`,
      weight: 1 + (p % 3),
      guaranteed: total.gpu > 0 ? { gpu: share(total.gpu), 'gpu/nvidia-h100': share(total.gpu), cpu: share(total.cpu) } : { cpu: share(total.cpu), memoryMiB: share(total.memoryMiB) },
      ...(p % 4 === 0 ? { limit: total.gpu > 0 ? { gpu: share(total.gpu) * 2 } : { cpu: share(total.cpu) * 2 } } : {}),
    });
    usage.push({ project, pool: 'default', gpu: share(total.gpu) * rand(), cpu: share(total.cpu) * rand() });
  }
  return { quotas, usage };
}

/**
 * `runs` measured passes (after one warm-up pass on a small cluster, so the measured code is
 * optimised as in a long-lived scheduler); the run with the median total time is reported, with the
 * spread of placements per second.
 */
export function benchPlanner(
  opts: PlannerBenchOptions,
  runs = 5,
  plannerOptions: Partial<PlannerOptions> = {},
): PlannerBenchResult & { runs: number; placements_per_s_min: number; placements_per_s_max: number } {
  measurePlanner({ ...opts, nodes: Math.min(opts.nodes, 1_000), tasks: Math.min(opts.tasks, 10_000), seed: opts.seed + 1 }, plannerOptions);
  const results = Array.from({ length: runs }, () => measurePlanner(opts, plannerOptions)).sort((a, b) => a.total_ms - b.total_ms);
  const rates = results.map((r) => r.planned_placements_per_s);
  return { ...results[Math.floor(runs / 2)], runs, placements_per_s_min: Math.min(...rates), placements_per_s_max: Math.max(...rates) };
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

