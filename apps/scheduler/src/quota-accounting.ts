import type { DomainEvent, StoredCommit } from '@trainyard/contracts';
import { DEFAULT_PROJECT, quotaUsage, specProject, type PastUsage, type ProjectQuota, type QuotaPolicy, type QuotaUsage, type RunningJob } from '@trainyard/scheduling';
import { counter, gauge } from '@trainyard/telemetry';
import type { ClusterState } from './cluster-state';

const LABELS = ['pool', 'project', 'resource'] as const;
const metrics = () => ({
  guaranteed: gauge('trainyard_quota_guaranteed', 'A project\'s guaranteed quota in a pool, per resource (cpu in cores)', LABELS),
  limit: gauge('trainyard_quota_limit', 'A project\'s quota limit in a pool, per resource (absent: its guarantee, or unbounded in a cohort)', LABELS),
  used: gauge('trainyard_quota_used', 'What a project\'s jobs hold of its quota in a pool now, per resource', LABELS),
  borrowed: gauge('trainyard_quota_borrowed', 'What a project holds beyond its guarantee in a pool (borrowed idle cohort quota), per resource', LABELS),
  reclaimed: counter('trainyard_quota_reclaimed_total', 'Jobs preempted to give borrowed quota back to its owner, by the borrower\'s pool and project', ['pool', 'project']),
});

/**
 * The scheduler's side of quotas (issue 16): the configured quotas and the decayed past usage that
 * fair share reads (both folded from the log into the cluster state, so every replica has them), and
 * the leader's Prometheus gauges of every quota's guarantee, limit, usage and borrowed amount.
 */
export class QuotaAccounting {
  private usage: PastUsage[] = [];
  private latest: QuotaUsage[] = [];
  /** This replica set the gauges (it led): it clears them once when it no longer leads. */
  private reporting = false;
  private readonly m = metrics();

  constructor(private readonly state: ClusterState) {}

  quotas(): ProjectQuota[] {
    return [...this.state.quotas.values()];
  }

  /** The view's quota policy for a pass at `now` (undefined without quotas: plans as before). */
  policy(running: readonly RunningJob[], now: Date): QuotaPolicy | undefined {
    const quotas = this.quotas();
    this.usage = this.state.usage.at(now.getTime());
    this.report(quotas, running);
    return quotas.length ? { quotas, usage: this.usage } : undefined;
  }

  /** The usage reported at the last pass, per quota. */
  current(): readonly QuotaUsage[] {
    return this.latest;
  }

  /** The decayed past usage fair share ordered by at the last pass (per pool and project). */
  pastUsage(): readonly PastUsage[] {
    return this.usage;
  }

  /** A committed reclaim, counted once: called for the live commits of a leader. */
  countReclaims(commit: StoredCommit): void {
    for (const e of commit.events) {
      if (e.type !== 'JobPreempted' || !(e as DomainEvent<'JobPreempted'>).data.reclaim) continue;
      const job = this.state.jobs.get(commit.subject.slice('ty.ev.job.'.length))?.state;
      if (!job || job.status === 'none') continue;
      const project = specProject(job.spec) ?? DEFAULT_PROJECT;
      this.m.reclaimed.inc({ pool: job.spec.spec.resource.pool ?? 'default', project });
    }
  }

  /**
   * This replica stopped leading (or stops): its gauges go, so a standby never exports stale usage
   * beside the leader's.
   */
  stepDown(): void {
    if (!this.reporting) return;
    this.reporting = false;
    this.latest = [];
    for (const g of this.gauges()) g.reset();
  }

  private gauges() {
    return [this.m.guaranteed, this.m.limit, this.m.used, this.m.borrowed];
  }

  private report(quotas: readonly ProjectQuota[], running: readonly RunningJob[]): void {
    this.latest = quotaUsage(quotas, running);
    this.reporting = true;
    for (const g of this.gauges()) g.reset();
    for (const q of quotas) {
      for (const [resource, v] of Object.entries(q.guaranteed)) this.m.guaranteed.set({ pool: q.pool, project: q.project, resource }, v ?? 0);
      for (const [resource, v] of Object.entries(q.limit ?? {})) this.m.limit.set({ pool: q.pool, project: q.project, resource }, v ?? 0);
    }
    for (const u of this.latest) {
      for (const [resource, v] of Object.entries(u.used)) this.m.used.set({ pool: u.pool, project: u.project, resource }, v ?? 0);
      for (const [resource, v] of Object.entries(u.borrowed)) this.m.borrowed.set({ pool: u.pool, project: u.project, resource }, v ?? 0);
    }
  }
}
