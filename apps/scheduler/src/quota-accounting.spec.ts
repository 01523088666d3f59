import { event, Subjects, withDefaults, type DomainEvent, type StoredCommit, type TrainingJobSpec } from '@trainyard/contracts';
import { pendingJobFromSpec, planGangs } from '@trainyard/scheduling';
import { registry } from '@trainyard/telemetry';
import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state';
import { buildClusterView } from './cluster-view.builder';
import { DRY_RUN_JOB_ID, dryRunVerdict } from './dry-run';
import { QuotaAccounting } from './quota-accounting';

const T0 = '2026-12-02T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms);
const HALF_LIFE = 60_000;

const spec = (project: string, cpu: number, nodeCount = 1, preemptible = false): TrainingJobSpec =>
  withDefaults({ kind: 'job', metadata: { name: 'j', project }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu, memoryMiB: 256 }, nodeCount }, ...(preemptible ? { preemptible } : {}) } });

class Log {
  seq = 0;
  readonly state = new ClusterState(HALF_LIFE);
  readonly commits: StoredCommit[] = [];
  private commit(subject: string, events: DomainEvent[]) {
    const c = { subject, seq: ++this.seq, events, meta: { commandId: `c${this.seq}`, correlationId: 'x', actor: 't' } } as StoredCommit;
    this.commits.push(c);
    this.state.apply(c);
    return this;
  }
  node(id: string) {
    return this.commit(Subjects.node(id), [event('NodeRegistered', T0, { nodeId: id, host: `${id}.lan`, pool: 'default', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, labels: {} })]);
  }
  quota(project: string, quota: object) {
    return this.commit(Subjects.iamProject(project), [event('QuotaSet', T0, { pool: 'default', quota: quota as never, by: 'user:admin' })]);
  }
  unquota(project: string) {
    return this.commit(Subjects.iamProject(project), [event('QuotaRemoved', T0, { pool: 'default', by: 'user:admin' })]);
  }
  queued(id: string, s: TrainingJobSpec) {
    return this.commit(Subjects.job(id), [event('JobCreated', T0, { jobId: id, spec: s, tasks: Array.from({ length: s.spec.resource.nodeCount ?? 1 }, (_, i) => `worker-${i}`), createdBy: 'u' }), event('JobQueued', T0, { priority: 1 })]);
  }
  /** Every commit of `other`, applied here in order (another replica's fold). */
  replay(other: Log) {
    for (const c of other.commits) this.state.apply(c);
    return this;
  }
  stopped(id: string, when: Date) {
    const job = this.state.jobs.get(id)!.state;
    const tasks = job.status === 'none' ? [] : job.tasks;
    return this.commit(Subjects.job(id), [
      ...tasks.map((t) => event('TaskExited', when.toISOString(), { task: t.name, attempt: 1, nodeId: t.nodeId!, exitCode: 0, reason: 'completed', procStartCount: 1 } as never)),
    ]);
  }
  running(id: string, s: TrainingJobSpec, nodes: string[]) {
    this.queued(id, s);
    const placements = nodes.map((nodeId, index) => ({ task: `worker-${index}`, index, nodeId, host: `${nodeId}.lan` }));
    return this.commit(Subjects.job(id), [
      event('JobScheduled', T0, { attempt: 1, placements }),
      ...nodes.map((nodeId, index) => event('TaskStarted', T0, { task: `worker-${index}`, attempt: 1, nodeId, procStartCount: 1 })),
      event('JobStarted', T0, { attempt: 1 }),
    ]);
  }
}

const view = (log: Log, now = at(0)) => buildClusterView(log.state, () => true, now, { hourMs: 3_600_000 });

describe('scheduler - quotas from the log into the planner', () => {
  it('folds QuotaSet and QuotaRemoved of the projects\' aggregates; a malformed quota is no quota', () => {
    const log = new Log().quota('a', { guaranteed: { cpu: 2 }, cohort: 'c' }).quota('b', { guaranteed: { cpu: 2 } });
    expect([...log.state.quotas.values()]).toEqual([
      { project: 'a', pool: 'default', guaranteed: { cpu: 2 }, cohort: 'c' },
      { project: 'b', pool: 'default', guaranteed: { cpu: 2 } },
    ]);
    log.unquota('b').quota('a', { guaranteed: { gpus: 1 } });
    expect(log.state.quotas.size).toBe(0);
  });

  it('the policy gates placement: a project without a quota in a managed pool waits, one within its quota is placed', () => {
    const log = new Log().node('n1').node('n2').quota('a', { guaranteed: { cpu: 2 } }).queued('ja', spec('a', 2)).queued('jb', spec('b', 2));
    const acc = new QuotaAccounting(log.state);
    const v = view(log);
    const plan = planGangs({ ...v, quotas: acc.policy(v.running, at(0)) }, { completeWaitReasons: true });
    expect(plan.place.map((p) => p.jobId)).toEqual(['ja']);
    expect(plan.waiting).toEqual([expect.objectContaining({ jobId: 'jb', reason: 'QUOTA_EXCEEDED', noQuota: true })]);
    // Without any quota there is no policy: every pool plans as it did before quotas.
    expect(new QuotaAccounting(new Log().state).policy([], at(0))).toBeUndefined();
  });

  it('usage: held now per quota with what is borrowed; the past usage decays with the half-life', () => {
    const log = new Log().node('n1').node('n2')
      .quota('a', { guaranteed: { cpu: 2 }, cohort: 'c' }).quota('b', { guaranteed: { cpu: 2 }, cohort: 'c' })
      .running('ja', spec('a', 2, 2, true), ['n1', 'n2']);
    const acc = new QuotaAccounting(log.state);
    acc.policy(view(log).running, at(0));
    expect(acc.current()).toEqual([
      { project: 'a', pool: 'default', used: { cpu: 4 }, borrowed: { cpu: 2 } },
      { project: 'b', pool: 'default', used: { cpu: 0 }, borrowed: { cpu: 0 } },
    ]);
    // Past usage is folded from the log (the job started at T0), not from when this replica began to lead.
    acc.policy(view(log).running, at(HALF_LIFE));
    expect(acc.pastUsage()).toEqual([expect.objectContaining({ project: 'a', pool: 'default', cpu: 2 })]);
    // Stopped at two half-lives (3 by then), it halves each half-life after.
    log.stopped('ja', at(2 * HALF_LIFE));
    acc.policy(view(log, at(3 * HALF_LIFE)).running, at(3 * HALF_LIFE));
    expect(acc.pastUsage()[0].cpu).toBeCloseTo(1.5, 6);
    // Another replica folding the same log has the same numbers.
    expect(new Log().replay(log).state.usage.at(Date.parse(T0) + 3 * HALF_LIFE)[0].cpu).toBeCloseTo(1.5, 6);
  });

  it('gauges: the leader exports each quota; a replica that stops leading withdraws its own, once', async () => {
    const log = new Log().node('n1').node('n2').quota('a', { guaranteed: { cpu: 2 }, cohort: 'c' }).running('ja', spec('a', 2, 2, true), ['n1', 'n2']);
    const leader = new QuotaAccounting(log.state);
    const standby = new QuotaAccounting(log.state);
    const text = async () => registry.metrics();
    leader.policy(view(log).running, at(0));
    expect(await text()).toContain('trainyard_quota_borrowed{pool="default",project="a",resource="cpu"} 2');
    // A standby that never led leaves the leader's gauges alone (replicas in one process share them).
    standby.stepDown();
    expect(await text()).toContain('trainyard_quota_used{pool="default",project="a",resource="cpu"} 4');
    leader.stepDown();
    expect(await text()).not.toContain('trainyard_quota_used{');
    expect(leader.current()).toEqual([]);
  });

  it('dry run: an owner\'s job would reclaim the borrower; a borrower\'s would wait on quota and capacity', () => {
    const log = new Log().node('n1').node('n2')
      .quota('a', { guaranteed: { cpu: 2 }, cohort: 'c' }).quota('b', { guaranteed: { cpu: 2 }, cohort: 'c' })
      .running('ja', spec('a', 2, 2, true), ['n1', 'n2']);
    const acc = new QuotaAccounting(log.state);
    const v = view(log);
    const quotas = acc.policy(v.running, at(0));
    const dry = (s: TrainingJobSpec) => {
      const job = { ...pendingJobFromSpec(DRY_RUN_JOB_ID, s, { queuedSeq: Number.MAX_SAFE_INTEGER, project: String(s.metadata.project) }) };
      return dryRunVerdict(planGangs({ ...v, queue: [...v.queue, job], quotas }, { completeWaitReasons: true }), { pool: 'default', project: String(s.metadata.project) });
    };
    expect(dry(spec('b', 2))).toMatchObject({ placed: false, preempts: [{ jobId: 'ja', kind: 'reclaim' }] });
    const waits = dry(spec('a', 2, 1, true));
    expect(waits).toMatchObject({ placed: false, reason: { code: 'QUOTA_EXCEEDED' } });
    expect(waits.causes?.map((c) => c.kind)).toEqual(expect.arrayContaining(['QUOTA', 'CAPACITY']));
    expect(waits.message).toMatch(/^would wait: QUOTA_EXCEEDED/);
    // Asked of an empty pool, it is placed, and says where.
    const empty = new Log().node('n1');
    const ev = view(empty);
    const job = pendingJobFromSpec(DRY_RUN_JOB_ID, spec('x', 1), { queuedSeq: 1 });
    expect(dryRunVerdict(planGangs({ ...ev, queue: [job] }), { pool: 'default', project: 'x' })).toMatchObject({ placed: true, placements: [{ task: 'worker-0', nodeId: 'n1' }], message: 'would be placed now on n1' });
  });
});
