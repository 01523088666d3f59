import type { Capacity } from '@trainyard/contracts';
import type { ClusterView, NodeView, RunningJob } from '../cluster-view';
import type { GangStack } from '../gang-stack';
import { PoolIndex } from '../index/pool-index';
import type { HeldTask } from '../index/release-schedule';
import { demandOfFlavor } from '../queue/job-request';
import { PoolState, type RunningEntry } from './pool-state';

/** One pool as the standing view keeps it: the planner's state and what each slot holds. */
interface StandingPool {
  state: PoolState;
  /** The node's `used`, per slot (cpu, memory, gpu, npu interleaved). */
  used: Float64Array;
  /** Capacity explained by running tasks, per slot (interleaved likewise). */
  explained: Float64Array;
  /** Running tasks per slot, and how many of them own the node whole. */
  count: Int32Array;
  wholeCount: Int32Array;
  /** The task that stands for used capacity no running job explains (end unknown). */
  anon: (HeldTask | null)[];
}

/** A running job's share of one pool. */
interface Part {
  pool: StandingPool;
  entry: RunningEntry;
  tasks: HeldTask[];
  /** Where its tasks are in the release schedule (unless being preempted: they end `now`). */
  end: number;
}

/**
 * The planner's pools kept between passes and updated by what changes — a node, a running job —
 * instead of rebuilt from the whole cluster every pass (`buildPools` is this, filled at once).
 * A changed node's pool is rebuilt (slots follow the nodes); a node's `used` or a running job
 * changes only its slots. Whatever sequence of changes led here, the pools equal those built from
 * scratch from the same nodes and running jobs (in the order they were last set).
 *
 * `beginPass(now)` hands the pools to one planning pass; `endPass()` undoes what it changed.
 */
export class StandingPools {
  private readonly nodes = new Map<string, NodeView>();
  private readonly jobs = new Map<string, { job: RunningJob; parts: Part[] }>();
  private readonly pools = new Map<string, StandingPool>();
  /** Pools whose nodes changed: rebuilt at the next pass. */
  private readonly stale = new Set<string>();
  private inPass: PoolState[] | null = null;

  constructor(
    private readonly stack: GangStack,
    private readonly sampleLimit: number,
  ) {}

  static of(view: ClusterView, stack: GangStack, sampleLimit: number): StandingPools {
    const s = new StandingPools(stack, sampleLimit);
    for (const n of view.nodes) s.setNode(n);
    for (const r of view.running ?? []) s.setRunning(r);
    return s;
  }

  /** The nodes, in the order they were first set. */
  nodeViews(): IterableIterator<NodeView> {
    return this.nodes.values();
  }

  /** The running jobs, in the order they were last set. */
  runningJobs(): RunningJob[] {
    return [...this.jobs.values()].map((j) => j.job);
  }

  setNode(n: NodeView): void {
    this.outsidePass();
    const old = this.nodes.get(n.id);
    this.nodes.set(n.id, n);
    if (old && sameShape(old, n)) {
      const p = this.pools.get(n.pool);
      if (!p || this.stale.has(n.pool)) return;
      const slot = p.state.index.slotOf(n.id)!;
      writeCapacity(p.used, slot, n.used);
      this.recompute(p, slot);
      return;
    }
    if (old) this.stale.add(old.pool);
    this.stale.add(n.pool);
  }

  removeNode(id: string): void {
    this.outsidePass();
    const old = this.nodes.get(id);
    if (!old) return;
    this.nodes.delete(id);
    this.stale.add(old.pool);
  }

  /** Sets (or replaces) a job holding capacity. */
  setRunning(r: RunningJob): void {
    this.removeRunning(r.jobId);
    const j = { job: r, parts: [] as Part[] };
    this.jobs.set(r.jobId, j);
    this.attach(j, null);
  }

  removeRunning(jobId: string): void {
    this.outsidePass();
    const j = this.jobs.get(jobId);
    if (!j) return;
    this.jobs.delete(jobId);
    for (const part of j.parts) this.detach(part);
  }

  /** The pools for a pass at `now` (stale ones rebuilt first). Call `endPass` when it is done. */
  beginPass(now: number): Map<string, PoolState> {
    this.outsidePass();
    for (const name of this.stale) this.rebuild(name);
    this.stale.clear();
    const out = new Map<string, PoolState>();
    for (const [name, p] of this.pools) {
      p.state.beginPass(now);
      out.set(name, p.state);
    }
    this.inPass = [...out.values()];
    return out;
  }

  endPass(): void {
    for (const s of this.inPass ?? []) s.endPass();
    this.inPass = null;
  }

  // ------------------------------------------------------------------ internals

  private outsidePass(): void {
    if (this.inPass) throw new Error('the standing pools change between passes only (endPass first)');
  }

  /** Adds a job's tasks to its pools: every pool (`only` null) but stale ones, or just `only`. */
  private attach(j: { job: RunningJob; parts: Part[] }, only: StandingPool | null): void {
    const r = j.job;
    const demand = demandOfFlavor(r.flavor);
    const whole = r.affinityGroupSize !== undefined;
    const startedAt = r.startedAt ? Date.parse(r.startedAt) : Number.NaN;
    const end = r.maxRunHours !== undefined && !Number.isNaN(startedAt) ? startedAt + r.maxRunHours * 3_600_000 : Number.POSITIVE_INFINITY;
    // A job's tasks share its pool; an entry per (job, pool) keeps a misfiled task harmless.
    const parts = new Map<StandingPool, Part>();
    for (const nodeId of r.nodeIds) {
      const n = this.nodes.get(nodeId);
      if (!n) continue;
      const p = this.pools.get(n.pool);
      if (!p || (only ? p !== only : this.stale.has(n.pool))) continue;
      let part = parts.get(p);
      if (!part) {
        const checkpoint = r.checkpointAt ? Date.parse(r.checkpointAt) : Number.NaN;
        const entry: RunningEntry = {
          jobId: r.jobId,
          priority: r.priority,
          preemptible: r.preemptible,
          startedAt,
          demand,
          whole,
          slots: [],
          preemptedFor: r.preemptedFor,
          project: r.project,
          safeAt: checkpoint > startedAt ? checkpoint : startedAt,
          end,
          acceleratorType: r.flavor.acceleratorType,
        };
        part = { pool: p, entry, tasks: [], end };
        parts.set(p, part);
        j.parts.push(part);
        p.state.addEntry(entry);
      }
      const slot = p.state.index.slotOf(nodeId)!;
      const task: HeldTask = { slot, demand, whole, jobId: r.jobId };
      part.entry.slots.push(slot);
      part.tasks.push(task);
      if (!r.preemptedFor) p.state.releases.add(end, task);
      this.hold(p, slot, task, 1, only === null);
    }
    for (const part of parts.values()) if (r.preemptedFor) part.pool.state.preempting.set(part.entry, part.tasks);
  }

  private detach(part: Part): void {
    const { pool: p, entry } = part;
    const name = p.state.index.name;
    // A stale pool is rebuilt from the jobs as they are then.
    if (this.pools.get(name) !== p || this.stale.has(name)) return;
    p.state.removeEntry(entry);
    if (!p.state.preempting.delete(entry)) for (const t of part.tasks) p.state.releases.remove(part.end, t);
    for (const t of part.tasks) this.hold(p, t.slot, t, -1, true);
  }

  /** Counts a task on (sign 1) or off (−1) its slot, and brings the slot up to date (unless a rebuild does at its end). */
  private hold(p: StandingPool, slot: number, task: HeldTask, sign: 1 | -1, update: boolean): void {
    const e = p.explained;
    e[slot * 4] += sign * task.demand.cpu;
    e[slot * 4 + 1] += sign * task.demand.memoryMiB;
    e[slot * 4 + 2] += sign * task.demand.gpu;
    e[slot * 4 + 3] += sign * task.demand.npu;
    p.count[slot] += sign;
    if (task.whole) p.wholeCount[slot] += sign;
    if (update) this.recompute(p, slot);
  }

  /**
   * A slot from its node's `used` and the tasks on it: free = capacity − used; used capacity no
   * running job explains counts as one task of unknown end, so a view without `running` still
   * plans safely.
   */
  private recompute(p: StandingPool, slot: number): void {
    const idx = p.state.index;
    const u = p.used;
    const e = p.explained;
    const k = slot * 4;
    const rest = { cpu: Math.max(0, u[k] - e[k]), memoryMiB: Math.max(0, u[k + 1] - e[k + 1]), gpu: Math.max(0, u[k + 2] - e[k + 2]), npu: Math.max(0, u[k + 3] - e[k + 3]) };
    const anon = rest.cpu + rest.memoryMiB + rest.gpu + rest.npu > 0;
    idx.setNode(slot, idx.capCpu[slot] - u[k], idx.capMem[slot] - u[k + 1], idx.capGpu[slot] - u[k + 2], idx.capNpu[slot] - u[k + 3], p.count[slot] + (anon ? 1 : 0), p.wholeCount[slot] > 0 ? 1 : 0);
    const was = p.anon[slot];
    if (was && anon && sameDemand(was.demand, rest)) return;
    if (was) p.state.releases.remove(Number.POSITIVE_INFINITY, was);
    p.anon[slot] = anon ? { slot, demand: rest, whole: false, jobId: '' } : null;
    if (anon) p.state.releases.add(Number.POSITIVE_INFINITY, p.anon[slot]!);
  }

  /** A pool from its nodes, with every running job's tasks on them. */
  private rebuild(name: string): void {
    const old = this.pools.get(name);
    if (old) for (const j of this.jobs.values()) j.parts = j.parts.filter((part) => part.pool !== old);
    const nodes = [...this.nodes.values()].filter((n) => n.pool === name);
    if (nodes.length === 0) {
      this.pools.delete(name);
      return;
    }
    const state = new PoolState(new PoolIndex(name, nodes), this.stack, this.sampleLimit);
    const size = state.index.size;
    const p: StandingPool = {
      state,
      used: new Float64Array(size * 4),
      explained: new Float64Array(size * 4),
      count: new Int32Array(size),
      wholeCount: new Int32Array(size),
      anon: new Array<HeldTask | null>(size).fill(null),
    };
    for (const n of nodes) writeCapacity(p.used, state.index.slotOf(n.id)!, n.used);
    this.pools.set(name, p);
    for (const j of this.jobs.values()) this.attach(j, p);
    for (let slot = 0; slot < size; slot++) this.recompute(p, slot);
    state.releases.seal();
  }
}

function writeCapacity(into: Float64Array, slot: number, c: Capacity): void {
  const d = demandOfFlavor(c);
  into[slot * 4] = d.cpu;
  into[slot * 4 + 1] = d.memoryMiB;
  into[slot * 4 + 2] = d.gpu;
  into[slot * 4 + 3] = d.npu;
}

const sameDemand = (a: HeldTask['demand'], b: HeldTask['demand']) => a.cpu === b.cpu && a.memoryMiB === b.memoryMiB && a.gpu === b.gpu && a.npu === b.npu;

/** What of a capacity the pool index reads. */
const sameCapacity = (a: Capacity, b: Capacity) => a.cpu === b.cpu && a.memoryMiB === b.memoryMiB && a.gpu === b.gpu && a.npu === b.npu && a.acceleratorType === b.acceleratorType;

/** Everything of a node but `used` is what its pool's slots are built from. */
function sameShape(a: NodeView, b: NodeView): boolean {
  if (a.host !== b.host || a.pool !== b.pool || a.schedulable !== b.schedulable) return false;
  if (!sameCapacity(a.capacity, b.capacity)) return false;
  const ka = Object.keys(a.labels);
  return ka.length === Object.keys(b.labels).length && ka.every((k) => a.labels[k] === b.labels[k]);
}

/**
 * One `PoolState` per pool for a single pass: nodes indexed, free capacity = capacity − used,
 * running tasks placed on their nodes with their expected end.
 */
export function buildPools(view: ClusterView, now: number, stack: GangStack, sampleLimit: number): Map<string, PoolState> {
  return StandingPools.of(view, stack, sampleLimit).beginPass(now);
}
