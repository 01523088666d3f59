import type { WaitCause } from '../plan';
import { computeStaticFeasibility, type StaticFeasibility } from '../feasibility/static-feasibility';
import type { GangStack } from '../gang-stack';
import type { PoolIndex } from '../index/pool-index';
import { ReleaseSchedule, type HeldTask } from '../index/release-schedule';
import type { Demand, JobRequest } from '../queue/job-request';

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

/**
 * Everything the planner keeps per pool: the nodes' free capacity, the running jobs and when their
 * tasks end — kept between passes by `StandingPools` — and what one pass found and decided. A pass
 * (`beginPass` … `endPass`) changes it only tentatively: its placements, holds and preemptions are
 * undone at its end, so the next pass starts from the cluster as the events left it.
 */
export class PoolState {
  readonly releases = new ReleaseSchedule();
  /** The running entries in the order they were added (a set: one leaves in O(1)). */
  private readonly entries = new Set<RunningEntry>();
  private list: RunningEntry[] | null = [];
  /** Tasks of jobs being preempted: they free capacity `now`, whatever `now` a pass has. */
  readonly preempting = new Map<RunningEntry, readonly HeldTask[]>();
  readonly schedulable: number;
  /** The job holding the pool's backfill reservation in this pass. */
  backfillHolder?: string;
  preemptionSearches = 0;
  reservationSearches = 0;
  /** Start estimates made this pass (complete wait reasons). */
  estimates = 0;
  /** Capacity probes of quota-blocked jobs, by job shape, valid while the pool's version holds. */
  readonly probes = new Map<string, { version: number; causes: WaitCause[] }>();
  /**
   * Static feasibility by job shape. It reads only what a node is (capacity, labels, schedulable),
   * which a pool keeps until it is rebuilt, so it holds across passes.
   */
  private readonly statics = new Map<string, StaticFeasibility>();
  private victimFloor: number | undefined;
  private byPreemptor: Map<string, RunningEntry[]> | undefined;
  /** The pass's mark on the index, and the victims it chose (-1: not in a pass). */
  private passMark = -1;
  private marked: RunningEntry[] = [];

  constructor(
    readonly index: PoolIndex,
    private readonly stack: GangStack,
    private readonly sampleLimit: number,
  ) {
    let s = 0;
    for (let i = 0; i < index.size; i++) s += index.schedulable[i];
    this.schedulable = s;
  }

  /** Starts a pass at `now`: what it changes is journaled until `endPass`. */
  beginPass(now: number): void {
    this.backfillHolder = undefined;
    this.preemptionSearches = 0;
    this.reservationSearches = 0;
    this.estimates = 0;
    this.probes.clear();
    this.victimFloor = undefined;
    this.byPreemptor = undefined;
    this.marked = [];
    this.passMark = this.index.begin();
    this.releases.begin();
    for (const tasks of this.preempting.values()) for (const t of tasks) this.releases.add(now, t);
  }

  /** Undoes what the pass changed: placements, holds, the tasks it scheduled to end, its victims. */
  endPass(): void {
    if (this.passMark < 0) return;
    this.index.rollback(this.passMark);
    this.passMark = -1;
    this.index.clearHolds();
    this.releases.rollback();
    for (const v of this.marked) v.preemptedFor = undefined;
    this.marked = [];
    this.victimFloor = undefined;
    this.byPreemptor = undefined;
  }

  /** The jobs holding capacity in the pool, in the order they were added. */
  get running(): readonly RunningEntry[] {
    return (this.list ??= [...this.entries]);
  }

  addEntry(entry: RunningEntry): void {
    this.entries.add(entry);
    this.entriesChanged();
  }

  removeEntry(entry: RunningEntry): void {
    this.entries.delete(entry);
    this.entriesChanged();
  }

  /** The caches read from the entries are stale. */
  private entriesChanged(): void {
    this.list = null;
    this.victimFloor = undefined;
    this.byPreemptor = undefined;
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
    this.marked.push(victim);
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
