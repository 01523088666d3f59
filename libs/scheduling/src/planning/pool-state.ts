import type { WaitCause } from '../plan';
import type { ClusterView, NodeView } from '../cluster-view';
import { computeStaticFeasibility, type StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import { PoolIndex } from '../index/pool-index';
import { ReleaseSchedule } from '../index/release-schedule';
import { demandOfFlavor, type Demand, type JobRequest } from '../queue/job-request';

/** A job holding capacity in the pool, as preemption and reservations need it. */
export interface RunningEntry {
  jobId: string;
  priority: number;
  preemptible: boolean;
  /** Epoch ms; NaN when not started yet. */
  startedAt: number;
  demand: Demand;
  whole: boolean;
  slots: number[];
  /** Set when a preemption for that job is in progress (from the view, or chosen in this plan). */
  preemptedFor?: string;
  project?: string;
  /** Epoch ms of the newest of its start and its last acknowledged checkpoint: work since then is lost. */
  safeAt: number;
  /** Expected end (epoch ms; +∞ = unknown). */
  end: number;
  acceleratorType?: string;
}

/** Everything the planner keeps per pool during one pass. */
export class PoolState {
  readonly releases = new ReleaseSchedule();
  readonly running: RunningEntry[] = [];
  readonly schedulable: number;
  /** The job holding the pool's backfill reservation in this pass. */
  backfillHolder?: string;
  preemptionSearches = 0;
  reservationSearches = 0;
  /** Start estimates made this pass (complete wait reasons). */
  estimates = 0;
  /** Capacity probes of quota-blocked jobs, by job shape, valid while the pool's version holds. */
  readonly probes = new Map<string, { version: number; causes: WaitCause[] }>();
  private readonly statics = new Map<string, StaticFeasibility>();
  private victimFloor: number | undefined;
  private byPreemptor: Map<string, RunningEntry[]> | undefined;

  constructor(
    readonly index: PoolIndex,
    private readonly stack: GangStack,
    private readonly sampleLimit: number,
  ) {
    let s = 0;
    for (let i = 0; i < index.size; i++) s += index.schedulable[i];
    this.schedulable = s;
  }

  staticFeasibility(job: JobRequest): StaticFeasibility {
    let sf = this.statics.get(job.staticKey);
    if (!sf) {
      sf = computeStaticFeasibility(this.index, job, this.stack.staticCheckers, this.stack.staticScorers, this.sampleLimit);
      this.statics.set(job.staticKey, sf);
    }
    return sf;
  }

  /** Lowest priority among preemptible jobs not already being preempted (+∞ when none). */
  lowestVictimPriority(): number {
    if (this.victimFloor === undefined) {
      this.victimFloor = Number.POSITIVE_INFINITY;
      for (const r of this.running) if (r.preemptible && !r.preemptedFor) this.victimFloor = Math.min(this.victimFloor, r.priority);
    }
    return this.victimFloor;
  }

  markPreempted(victim: RunningEntry, forJobId: string): void {
    this.victimsFor(forJobId);
    victim.preemptedFor = forJobId;
    this.victimFloor = undefined;
    const list = this.byPreemptor!.get(forJobId);
    if (list) list.push(victim);
    else this.byPreemptor!.set(forJobId, [victim]);
  }

  /** Victims being stopped for `jobId`. */
  victimsFor(jobId: string): RunningEntry[] {
    if (!this.byPreemptor) {
      this.byPreemptor = new Map();
      for (const r of this.running) {
        if (!r.preemptedFor) continue;
        const list = this.byPreemptor.get(r.preemptedFor);
        if (list) list.push(r);
        else this.byPreemptor.set(r.preemptedFor, [r]);
      }
    }
    return [...(this.byPreemptor.get(jobId) ?? [])];
  }
}

/**
 * Builds one `PoolState` per pool: nodes indexed, free capacity = capacity − used, running tasks
 * placed on their nodes with their expected end. Used capacity that no running job explains counts
 * as one task of unknown end, so a view without `running` still plans safely.
 */
export function buildPools(view: ClusterView, now: number, stack: GangStack, sampleLimit: number): Map<string, PoolState> {
  const byPool = new Map<string, NodeView[]>();
  for (const n of view.nodes) {
    const list = byPool.get(n.pool);
    if (list) list.push(n);
    else byPool.set(n.pool, [n]);
  }
  const pools = new Map<string, PoolState>();
  const where = new Map<string, PoolState>();
  for (const [name, nodes] of byPool) {
    const state = new PoolState(new PoolIndex(name, nodes), stack, sampleLimit);
    pools.set(name, state);
    for (const n of nodes) where.set(n.id, state);
  }

  // Capacity explained by running tasks, per pool slot (cpu, memory, gpu, npu interleaved).
  const explained = new Map<PoolState, Float64Array>();
  for (const state of pools.values()) explained.set(state, new Float64Array(state.index.size * 4));
  for (const r of view.running ?? []) {
    const demand = demandOfFlavor(r.flavor);
    const whole = r.affinityGroupSize !== undefined;
    const startedAt = r.startedAt ? Date.parse(r.startedAt) : Number.NaN;
    const end = r.maxRunHours !== undefined && !Number.isNaN(startedAt) ? startedAt + r.maxRunHours * 3_600_000 : Number.POSITIVE_INFINITY;
    // A job's tasks share its pool; an entry per (job, pool) keeps a misfiled task harmless.
    const entries = new Map<PoolState, RunningEntry>();
    for (const nodeId of r.nodeIds) {
      const state = where.get(nodeId);
      if (!state) continue;
      let entry = entries.get(state);
      if (!entry) {
        const checkpoint = r.checkpointAt ? Date.parse(r.checkpointAt) : Number.NaN;
        entry = {
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
        entries.set(state, entry);
        state.running.push(entry);
      }
      const idx = state.index;
      const slot = idx.slotOf(nodeId)!;
      entry.slots.push(slot);
      // A task being preempted frees its capacity now (it is being stopped).
      state.releases.add(r.preemptedFor ? now : end, { slot, demand, whole, jobId: r.jobId });
      const e = explained.get(state)!;
      e[slot * 4] += demand.cpu;
      e[slot * 4 + 1] += demand.memoryMiB;
      e[slot * 4 + 2] += demand.gpu;
      e[slot * 4 + 3] += demand.npu;
      idx.setNode(slot, idx.freeCpu[slot], idx.freeMem[slot], idx.freeGpu[slot], idx.freeNpu[slot], idx.tasks[slot] + 1, whole ? 1 : idx.whole[slot]);
    }
  }

  for (const n of view.nodes) {
    const state = where.get(n.id)!;
    const idx = state.index;
    const slot = idx.slotOf(n.id)!;
    const used = demandOfFlavor(n.used);
    const e = explained.get(state)!;
    const rest: Demand = {
      cpu: Math.max(0, used.cpu - e[slot * 4]),
      memoryMiB: Math.max(0, used.memoryMiB - e[slot * 4 + 1]),
      gpu: Math.max(0, used.gpu - e[slot * 4 + 2]),
      npu: Math.max(0, used.npu - e[slot * 4 + 3]),
    };
    const anon = rest.cpu + rest.memoryMiB + rest.gpu + rest.npu > 0;
    idx.setNode(slot, idx.capCpu[slot] - used.cpu, idx.capMem[slot] - used.memoryMiB, idx.capGpu[slot] - used.gpu, idx.capNpu[slot] - used.npu, idx.tasks[slot] + (anon ? 1 : 0), idx.whole[slot]);
    if (anon) state.releases.add(Number.POSITIVE_INFINITY, { slot, demand: rest, whole: false, jobId: '' });
  }
  for (const state of pools.values()) state.releases.seal();
  return pools;
}
