import type { ClusterView, NodeView, RunningJob } from './cluster-view';
import type { Plan } from './plan';
import { resolvePlannerOptions, type PlannerOptions } from './planner-options';
import { PlanSession } from './planning/plan-session';
import { StandingPools } from './planning/standing-pools';

/** What a pass is given besides the nodes and running jobs the planner keeps. */
export type PassInputs = Omit<ClusterView, 'nodes' | 'running'>;

/**
 * The planner over a standing cluster view: nodes and running jobs are set as they change, and a
 * pass plans the queue against the pools as those changes left them — the cost of a pass is its
 * queue and what changed since the last one, not every job holding capacity. Each plan is the plan
 * `planGangs` makes of the equivalent snapshot (`view(pass)`); a pass changes nothing it keeps.
 *
 * @example
 * ```ts
 * const planner = new IncrementalPlanner({ minRunTimeMs: 10 * 60_000 });
 * planner.setNode(node);                 // registered, cordoned, `used` changed
 * planner.setRunning(job);               // placed, started, a task let go of its node
 * planner.removeRunning('j0');           // ended
 * const plan = planner.plan({ now, queue, reservations });
 * ```
 */
export class IncrementalPlanner {
  private readonly opts: PlannerOptions;
  private readonly pools: StandingPools;

  constructor(options: Partial<PlannerOptions> = {}) {
    this.opts = resolvePlannerOptions(options);
    this.pools = new StandingPools(this.opts.stack, this.opts.maxNodeReasons);
  }

  setNode(n: NodeView): void {
    this.pools.setNode(n);
  }

  removeNode(nodeId: string): void {
    this.pools.removeNode(nodeId);
  }

  /** Sets or replaces a job holding capacity (dispatched, running, being preempted). */
  setRunning(r: RunningJob): void {
    this.pools.setRunning(r);
  }

  removeRunning(jobId: string): void {
    this.pools.removeRunning(jobId);
  }

  /** The snapshot it stands for, with a pass's inputs: what `planGangs` would plan the same. */
  view(pass: PassInputs): ClusterView {
    return { ...pass, nodes: [...this.pools.nodeViews()], running: this.pools.runningJobs() };
  }

  plan(pass: PassInputs): Plan {
    const pools = this.pools.beginPass(Date.parse(pass.now));
    try {
      // Quotas read the whole cluster (each pool's capacity, what each project holds); nothing else does.
      const view: ClusterView = pass.quotas ? this.view(pass) : { ...pass, nodes: [], running: [] };
      return new PlanSession(view, this.opts, pools).plan();
    } finally {
      this.pools.endPass();
    }
  }
}
