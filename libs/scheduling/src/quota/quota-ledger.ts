import type { ClusterView } from '../cluster-view';
import type { QuotaShortfall } from '../plan';
import { demandOfFlavor, type Demand, type JobRequest } from '../queue/job-request';
import { DEFAULT_PROJECT, type ProjectQuota, type QuotaPolicy, type QuotaResource } from './quota-policy';

/** What a quota-managed job is charged: its demand × instances, per resource of its pool. */
export interface Charge {
  demand: Demand;
  instances: number;
  acceleratorType?: string;
}

export const chargeOf = (job: JobRequest): Charge => ({ demand: job.demand, instances: job.instances, acceleratorType: job.acceleratorType });

/** A quota-managed job may run (`borrowing`: beyond its project's guarantee, on idle cohort quota). */
export type QuotaVerdict = { ok: true; borrowing: boolean } | ({ ok: false } & QuotaBlock);

export interface QuotaBlock {
  /** The project has no quota in this quota-managed pool. */
  noQuota?: true;
  /** It would borrow, and only a preemptible job may (a borrower must be reclaimable). */
  borrowingNeedsPreemptible?: true;
  shortfalls: QuotaShortfall[];
  /** Every resource it needs is within its project's guarantee: it may reclaim lent quota. */
  withinGuaranteed: boolean;
}

/** One resource key, compiled: which dimension it counts and for which accelerator model. */
interface Key {
  name: QuotaResource;
  dim: 0 | 1 | 2 | 3;
  type?: string;
}

class Cohort {
  readonly members: Account[] = [];
  /** Quota claimed by owners whose victims are being stopped: off limits to borrowers. */
  readonly claimed: Float64Array;
  constructor(
    readonly name: string,
    readonly guaranteed: Float64Array,
    readonly used: Float64Array,
  ) {
    this.claimed = new Float64Array(guaranteed.length);
  }
}

/** One project's account in one pool. Arrays are per key of the pool; NaN guaranteed = not named. */
export class Account {
  readonly used: Float64Array;
  /** What it holds now, per dimension (cpu millicores, MiB, gpu, npu), for its fair share. */
  readonly holding: Demand = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
  past: Demand = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
  /** Placed in this pass. */
  readonly placed: Demand = { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
  cohort?: Cohort;
  constructor(
    readonly project: string,
    readonly guaranteed: Float64Array,
    readonly limit: Float64Array,
    readonly weight: number,
  ) {
    this.used = new Float64Array(guaranteed.length);
  }
}

class PoolQuotas {
  readonly accounts = new Map<string, Account>();
  constructor(
    readonly keys: Key[],
    readonly capacity: Demand,
  ) {}
}

const DIMS = ['cpu', 'memoryMiB', 'gpu', 'npu'] as const;

/**
 * Quota accounting for one pass: what every project holds in every quota-managed pool (running jobs,
 * then each placement of the pass), checked against guarantees, limits and cohorts; and the fair
 * share that orders equal-priority jobs. Amounts are in the planner's exact units (cpu millicores).
 *
 * A job fits its quota when, for every resource the project's quota names, what the project would
 * hold stays within its limit, and — where that is beyond its guarantee (borrowing) — what its cohort
 * would hold stays within the cohort's summed guarantees: borrowing only ever uses idle quota.
 */
export class QuotaLedger {
  private readonly pools = new Map<string, PoolQuotas>();
  /** Past usage was given: fair share is by it (plus this pass's placements), not by what is held now. */
  private readonly historic: boolean;
  private readonly claims = new Map<string, { pool: string; project: string | undefined; charge: Charge }>();

  /** Null when no pool is quota-managed: the planner then runs exactly as without quotas. */
  static from(view: ClusterView): QuotaLedger | null {
    const policy = view.quotas;
    if (!policy || policy.quotas.length === 0) return null;
    return new QuotaLedger(view, policy);
  }

  private constructor(view: ClusterView, policy: QuotaPolicy) {
    this.historic = policy.usage !== undefined;
    const byPool = new Map<string, ProjectQuota[]>();
    for (const q of policy.quotas) byPool.set(q.pool, [...(byPool.get(q.pool) ?? []), q]);
    const capacity = new Map<string, Demand>();
    for (const n of view.nodes) {
      if (!n.schedulable || !byPool.has(n.pool)) continue;
      const c = capacity.get(n.pool) ?? { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 };
      const d = demandOfFlavor(n.capacity);
      capacity.set(n.pool, { cpu: c.cpu + d.cpu, memoryMiB: c.memoryMiB + d.memoryMiB, gpu: c.gpu + d.gpu, npu: c.npu + d.npu });
    }
    for (const [pool, quotas] of byPool) {
      const names = [...new Set(quotas.flatMap((q) => [...Object.keys(q.guaranteed), ...Object.keys(q.limit ?? {})]))].sort() as QuotaResource[];
      const keys = names.map(compileKey);
      const pq = new PoolQuotas(keys, capacity.get(pool) ?? { cpu: 0, memoryMiB: 0, gpu: 0, npu: 0 });
      const cohorts = new Map<string, Cohort>();
      for (const q of quotas) {
        const g = new Float64Array(keys.length).fill(Number.NaN);
        const l = new Float64Array(keys.length).fill(Number.POSITIVE_INFINITY);
        keys.forEach((k, i) => {
          const gv = q.guaranteed[k.name];
          const lv = q.limit?.[k.name];
          if (gv === undefined && lv === undefined) return;
          g[i] = unit(k, gv ?? 0);
          l[i] = lv !== undefined ? unit(k, lv) : q.cohort ? Number.POSITIVE_INFINITY : g[i];
        });
        const a = new Account(q.project, g, l, q.weight !== undefined && q.weight > 0 ? q.weight : 1);
        pq.accounts.set(q.project, a);
        if (q.cohort !== undefined) {
          let c = cohorts.get(q.cohort);
          if (!c) cohorts.set(q.cohort, (c = new Cohort(q.cohort, new Float64Array(keys.length), new Float64Array(keys.length))));
          c.members.push(a);
          a.cohort = c;
          for (let i = 0; i < keys.length; i++) if (!Number.isNaN(g[i])) c.guaranteed[i] += g[i];
        }
      }
      this.pools.set(pool, pq);
    }
    for (const u of policy.usage ?? []) {
      const a = this.pools.get(u.pool)?.accounts.get(u.project);
      if (a) a.past = { cpu: (u.cpu ?? 0) * 1000, memoryMiB: u.memoryMiB ?? 0, gpu: u.gpu ?? 0, npu: u.npu ?? 0 };
    }
    for (const r of view.running ?? []) {
      if (r.nodeIds.length === 0) continue;
      this.charge(r.pool, r.project, { demand: demandOfFlavor(r.flavor), instances: r.nodeIds.length, acceleratorType: r.flavor.acceleratorType }, 1);
    }
  }

  manages(pool: string): boolean {
    return this.pools.has(pool);
  }

  account(pool: string, project: string | undefined): Account | undefined {
    return this.pools.get(pool)?.accounts.get(project ?? DEFAULT_PROJECT);
  }

  /** Adds (sign 1) or removes (sign −1) what a job holds. Unmanaged pools and unknown projects are ignored. */
  charge(pool: string, project: string | undefined, c: Charge, sign: 1 | -1): void {
    const pq = this.pools.get(pool);
    const a = pq?.accounts.get(project ?? DEFAULT_PROJECT);
    if (!pq || !a) return;
    for (let i = 0; i < pq.keys.length; i++) {
      if (Number.isNaN(a.guaranteed[i])) continue;
      const x = sign * amountOf(pq.keys[i], c);
      if (x === 0) continue;
      a.used[i] += x;
      if (a.cohort) a.cohort.used[i] += x;
    }
    const h = a.holding;
    h.cpu += sign * c.demand.cpu * c.instances;
    h.memoryMiB += sign * c.demand.memoryMiB * c.instances;
    h.gpu += sign * c.demand.gpu * c.instances;
    h.npu += sign * c.demand.npu * c.instances;
  }

  /** A placement of this pass: charged, and counted in its project's fair share at once. */
  place(pool: string, project: string | undefined, c: Charge): void {
    this.charge(pool, project, c, 1);
    const p = this.account(pool, project)?.placed;
    if (!p) return;
    p.cpu += c.demand.cpu * c.instances;
    p.memoryMiB += c.demand.memoryMiB * c.instances;
    p.gpu += c.demand.gpu * c.instances;
    p.npu += c.demand.npu * c.instances;
  }

  /** May a job of `project` needing `c` run in `pool` now, quota-wise? */
  check(pool: string, project: string | undefined, c: Charge, preemptible: boolean): QuotaVerdict {
    const pq = this.pools.get(pool);
    if (!pq) return { ok: true, borrowing: false };
    const a = pq.accounts.get(project ?? DEFAULT_PROJECT);
    if (!a) return { ok: false, noQuota: true, shortfalls: [], withinGuaranteed: false };
    const shortfalls: QuotaShortfall[] = [];
    let borrowing = false;
    for (let i = 0; i < pq.keys.length; i++) {
      const g = a.guaranteed[i];
      if (Number.isNaN(g)) continue;
      const k = pq.keys[i];
      const need = amountOf(k, c);
      if (need === 0) continue;
      const after = a.used[i] + need;
      const overLimit = after > a.limit[i];
      const borrows = after > g;
      // The cohort never holds more than its guarantees together: borrowing takes idle quota only
      // (and not what an owner has claimed), and a project back within its guarantee finds it lent
      // out until it is reclaimed.
      const cohortShort = a.cohort !== undefined && a.cohort.used[i] + (borrows ? a.cohort.claimed[i] : 0) + need > a.cohort.guaranteed[i];
      if (borrows) borrowing = true;
      if (!overLimit && !cohortShort) continue;
      shortfalls.push({
        resource: k.name,
        used: out(k, a.used[i]),
        requested: out(k, need),
        guaranteed: out(k, g),
        limit: Number.isFinite(a.limit[i]) ? out(k, a.limit[i]) : null,
        ...(cohortShort ? { cohort: { name: a.cohort!.name, used: out(k, a.cohort!.used[i]), guaranteed: out(k, a.cohort!.guaranteed[i]) } } : {}),
      });
    }
    const withinGuaranteed = this.withinGuaranteed(pq, a, c);
    if (shortfalls.length > 0) return { ok: false, shortfalls, withinGuaranteed };
    if (borrowing && !preemptible) return { ok: false, borrowingNeedsPreemptible: true, shortfalls: [], withinGuaranteed };
    return { ok: true, borrowing };
  }

  /**
   * Holds quota for a job whose victims are being stopped, until it is decided (`release`):
   * otherwise a reclaimed borrower, re-queued ahead of it, would borrow the same quota straight back.
   */
  claim(jobId: string, pool: string, project: string | undefined, c: Charge): void {
    if (!this.account(pool, project)?.cohort || this.claims.has(jobId)) return;
    this.claimBy(pool, project, c, 1);
    this.claims.set(jobId, { pool, project, charge: c });
  }

  release(jobId: string): void {
    const c = this.claims.get(jobId);
    if (!c) return;
    this.claimBy(c.pool, c.project, c.charge, -1);
    this.claims.delete(jobId);
  }

  // Claims count against borrowers only: owners within their guarantee are checked against what
  // is held, so nobody is placed past the guarantees while the victims are still stopping.
  private claimBy(pool: string, project: string | undefined, c: Charge, sign: 1 | -1): void {
    const pq = this.pools.get(pool)!;
    const a = pq.accounts.get(project ?? DEFAULT_PROJECT)!;
    for (let i = 0; i < pq.keys.length; i++) if (!Number.isNaN(a.guaranteed[i])) a.cohort!.claimed[i] += sign * amountOf(pq.keys[i], c);
  }

  /**
   * The job needs more than what is left of its project's guarantee: it would borrow. Such jobs are
   * decided after every job within its guarantee (Kueue orders the same way).
   */
  wouldBorrow(pool: string, project: string | undefined, c: Charge): boolean {
    const pq = this.pools.get(pool);
    const a = pq?.accounts.get(project ?? DEFAULT_PROJECT);
    if (!pq || !a) return false;
    for (let i = 0; i < pq.keys.length; i++) {
      if (!Number.isNaN(a.guaranteed[i]) && a.used[i] + amountOf(pq.keys[i], c) > a.guaranteed[i]) return true;
    }
    return false;
  }

  /** `check` as if `stopped` had ended (a what-if for victim sets). */
  checkWithout(pool: string, project: string | undefined, c: Charge, preemptible: boolean, stopped: readonly { project?: string; charge: Charge }[]): QuotaVerdict {
    for (const s of stopped) this.charge(pool, s.project, s.charge, -1);
    const v = this.check(pool, project, c, preemptible);
    for (const s of stopped) this.charge(pool, s.project, s.charge, 1);
    return v;
  }

  /**
   * The project holds more than its guarantee of a resource `c` needs: its jobs there run on lent
   * quota and may be reclaimed by a cohort member within its own guarantee.
   */
  borrowsFor(pool: string, project: string | undefined, c: Charge): boolean {
    const pq = this.pools.get(pool);
    const a = pq?.accounts.get(project ?? DEFAULT_PROJECT);
    if (!pq || !a) return false;
    for (let i = 0; i < pq.keys.length; i++) {
      if (!Number.isNaN(a.guaranteed[i]) && a.used[i] > a.guaranteed[i] && amountOf(pq.keys[i], c) > 0) return true;
    }
    return false;
  }

  /** Both projects lend to each other: the same cohort of the pool. */
  sameCohort(pool: string, p: string | undefined, q: string | undefined): boolean {
    const pq = this.pools.get(pool);
    const a = pq?.accounts.get(p ?? DEFAULT_PROJECT);
    const b = pq?.accounts.get(q ?? DEFAULT_PROJECT);
    return a?.cohort !== undefined && a.cohort === b?.cohort;
  }

  /**
   * Dominant share (DRF): the largest fraction of the pool's schedulable capacity, over cpu, memory
   * and accelerators, that the project has used — its decayed past usage plus what it was given in
   * this pass, plus half of `next` (the job it would run next) — divided by its weight. Without past
   * usage in the policy, what it holds now. 0 in an unmanaged pool (which then stays FIFO).
   *
   * History rather than the present is what makes the long run fair: with whole nodes, "who holds
   * least now" settles on a split rounded in favour of the small projects and stays there; decayed
   * usage keeps counting the excess until the others have caught up. Half the next job is the
   * unbiased tie between "before it" (favours small weights, +5 % in the property run) and "after
   * it" (weighted fair queueing's finish tag, −5 %).
   */
  share(pool: string, project: string | undefined, next?: Charge): number {
    const pq = this.pools.get(pool);
    const a = pq?.accounts.get(project ?? DEFAULT_PROJECT);
    if (!pq || !a) return 0;
    let s = 0;
    for (const d of DIMS) {
      if (pq.capacity[d] <= 0) continue;
      const used = (this.historic ? a.past[d] + a.placed[d] : a.holding[d]) + (next ? (next.demand[d] * next.instances) / 2 : 0);
      s = Math.max(s, used / pq.capacity[d]);
    }
    return s / a.weight;
  }

  private withinGuaranteed(pq: PoolQuotas, a: Account, c: Charge): boolean {
    for (let i = 0; i < pq.keys.length; i++) {
      if (!Number.isNaN(a.guaranteed[i]) && a.used[i] + amountOf(pq.keys[i], c) > a.guaranteed[i]) return false;
    }
    return true;
  }
}

function compileKey(name: QuotaResource): Key {
  const [base, type] = name.split('/', 2) as [string, string | undefined];
  const dim = DIMS.indexOf(base as (typeof DIMS)[number]);
  if (dim < 0) throw new Error(`unknown quota resource ${name}`);
  return { name, dim: dim as Key['dim'], ...(type ? { type } : {}) };
}

function amountOf(k: Key, c: Charge): number {
  if (k.type !== undefined && k.type !== c.acceleratorType) return 0;
  return c.demand[DIMS[k.dim]] * c.instances;
}

/** Quotas state cpu in cores; the planner counts millicores. */
const unit = (k: Key, x: number) => (k.dim === 0 ? Math.round(x * 1000) : x);
const out = (k: Key, x: number) => (k.dim === 0 ? x / 1000 : x);
