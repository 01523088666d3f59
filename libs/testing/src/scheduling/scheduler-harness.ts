import {
  type ClusterView,
  type NodeView,
  type PastPreemption,
  type PendingJob,
  type Plan,
  type PlannerOptions,
  planGangs,
  type QuotaPolicy,
  type ReservationRecord,
  type RunningJob,
} from '@trainyard/scheduling';
import { T0_MS, view } from './cluster-fixtures';

/**
 * Runs the real planner over several passes without a server (Nomad's `Harness`): it keeps a
 * queue, running jobs and the reservations a plan returns, applies each plan the way the service
 * does (placed jobs start running at `now`, victims are marked and later re-queued), and records
 * every plan. Time only moves when a test says so.
 *
 * @example
 * ```ts
 * const h = new SchedulerHarness(nodes, { reservationTtlMs: 10 * MINUTE });
 * h.submit(job('big', { nodeCount: 4 }));
 * h.pass();
 * h.advance(11 * MINUTE);
 * expect(h.pass().reservations[0].status).toBe('lapsed');
 * ```
 */
export class SchedulerHarness {
  readonly plans: Plan[] = [];
  readonly queue = new Map<string, PendingJob>();
  readonly running = new Map<string, RunningJob>();
  /** Every preemption applied, passed back as `recentPreemptions` (the cycle guard's input). */
  readonly preemptions: PastPreemption[] = [];
  /** Quotas of the next passes (set it like the service's config). */
  quotas?: QuotaPolicy;
  now: number;
  private reservations: readonly ReservationRecord[] = [];
  private seq = 0;

  constructor(
    readonly nodes: NodeView[],
    private readonly options: Partial<PlannerOptions> = {},
    now = T0_MS,
  ) {
    this.now = now;
  }

  submit(...jobs: PendingJob[]): this {
    for (const j of jobs) this.queue.set(j.jobId, { ...j, queuedSeq: ++this.seq });
    return this;
  }

  /** Puts a job straight into the running set. */
  start(...jobs: RunningJob[]): this {
    for (const j of jobs) this.running.set(j.jobId, j);
    return this;
  }

  advance(ms: number): this {
    this.now += ms;
    return this;
  }

  view(): ClusterView {
    return {
      ...view(this.nodes, [...this.queue.values()], {
        running: [...this.running.values()],
        reservations: this.reservations,
        ...(this.quotas ? { quotas: this.quotas } : {}),
        ...(this.preemptions.length > 0 ? { recentPreemptions: this.preemptions } : {}),
      }),
      now: new Date(this.now).toISOString(),
    };
  }

  /** Plans once and applies the plan. */
  pass(): Plan {
    const plan = planGangs(this.view(), this.options);
    this.plans.push(plan);
    for (const p of plan.place) {
      const j = this.queue.get(p.jobId)!;
      this.queue.delete(p.jobId);
      this.running.set(p.jobId, {
        jobId: j.jobId,
        pool: j.pool,
        priority: j.priority,
        preemptible: j.preemptible ?? false,
        startedAt: new Date(this.now).toISOString(),
        ...(j.project !== undefined ? { project: j.project } : {}),
        flavor: j.flavor,
        nodeIds: p.placements.map((t) => t.nodeId),
        ...(j.maxRunHours !== undefined ? { maxRunHours: j.maxRunHours } : {}),
        ...(j.affinityGroupSize !== undefined ? { affinityGroupSize: j.affinityGroupSize } : {}),
      });
    }
    for (const p of plan.preempt) {
      this.running.set(p.victimJobId, { ...this.running.get(p.victimJobId)!, preemptedFor: p.forJobId });
      this.preemptions.push({ victimJobId: p.victimJobId, forJobId: p.forJobId, at: new Date(this.now).toISOString() });
    }
    this.reservations = plan.reservations;
    return plan;
  }

  /** A running job ends; its capacity frees. */
  finish(jobId: string): this {
    this.running.delete(jobId);
    return this;
  }

  /** Every victim being preempted has stopped: it goes back to the queue, re-queued. */
  stopPreempted(): this {
    for (const r of [...this.running.values()]) {
      if (!r.preemptedFor) continue;
      this.running.delete(r.jobId);
      this.queue.set(r.jobId, {
        jobId: r.jobId,
        priority: r.priority,
        queuedSeq: ++this.seq,
        pool: r.pool,
        flavor: r.flavor,
        nodeCount: r.nodeIds.length,
        requeued: true,
        ...(r.project !== undefined ? { project: r.project } : {}),
        ...(r.preemptible ? { preemptible: true } : {}),
      });
    }
    return this;
  }
}
