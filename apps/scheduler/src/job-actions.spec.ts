import { event, Subjects, withDefaults, type DomainEvent, type StoredCommit, type TrainingJobSpec } from '@trainyard/contracts';
import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state';
import { buildClusterView } from './cluster-view.builder';
import { jobActions, type JobActionOptions } from './job-actions';
import { toWaitReason } from './wait-reasons';

const T0 = '2026-03-13T10:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms);
const OPTS: JobActionOptions = { preemptGraceMs: 5000, minRunMs: 60_000, hourMs: 1000, requeueTimeoutMs: 30_000 };

function spec(extra: Partial<TrainingJobSpec['spec']> = {}, nodeCount = 1): TrainingJobSpec {
  return withDefaults({ kind: 'job', metadata: { name: 'j' }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 }, nodeCount }, ...extra } });
}

class Log {
  seq = 0;
  readonly state = new ClusterState();
  job(id: string, ...events: DomainEvent[]) {
    this.state.apply({ subject: Subjects.job(id), seq: ++this.seq, events, meta: { commandId: `c${this.seq}`, correlationId: 'x', actor: 't' } } as StoredCommit);
    return this;
  }
  node(id: string, labels: Record<string, string> = {}) {
    const data = { nodeId: id, host: `${id}.lan`, pool: 'default', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, labels };
    this.state.apply({ subject: Subjects.node(id), seq: ++this.seq, events: [event('NodeRegistered', T0, data)], meta: { commandId: `c${this.seq}`, correlationId: 'x', actor: 't' } } as StoredCommit);
    return this;
  }
}

const created = (id: string, s: TrainingJobSpec, time = T0) => [
  event('JobCreated', time, { jobId: id, spec: s, tasks: ['worker-0'], createdBy: 'u' }),
  event('JobQueued', time, { priority: s.spec.priority ?? 1 }),
];
const placed = (time = T0) => event('JobScheduled', time, { attempt: 1, placements: [{ task: 'worker-0', index: 0, nodeId: 'n1', host: 'n1.lan' }] });
const started = (time = T0) => [
  event('TaskStarted', time, { task: 'worker-0', attempt: 1, nodeId: 'n1', procStartCount: 1 }),
  event('JobStarted', time, { attempt: 1 }),
];

describe('scheduler - job actions of a pass', () => {
  it('a placed job none of whose tasks started within the preparation limit is timed out (J03); a started one is not', () => {
    const log = new Log().node('n1').job('p', ...created('p', spec()), placed());
    const opts = { ...OPTS, preparationTimeoutMs: 60_000 };
    expect(jobActions(log.state, { place: [], waiting: [] }, at(59_999), opts)).toEqual([]);
    expect(jobActions(log.state, { place: [], waiting: [] }, at(60_000), opts)).toMatchObject([
      { jobId: 'p', commandId: 'preparation-timeout/p/1', command: { type: 'TimeOutPreparation', data: { limitMs: 60_000 } } },
    ]);
    // Without the option (a test harness, an old config): never.
    expect(jobActions(log.state, { place: [], waiting: [] }, at(3_600_000), OPTS)).toEqual([]);
    log.job('p', ...started(T0));
    expect(jobActions(log.state, { place: [], waiting: [] }, at(3_600_000), opts)).toEqual([]);
  });

  it('stops a job at its maximum running time (queueing excluded), with the hour length configured', () => {
    const log = new Log().node('n1').job('j', ...created('j', spec({ maxRunHours: 2 }))).job('j', placed()).job('j', ...started(at(5000).toISOString()));
    const none = jobActions(log.state, { place: [], waiting: [] }, at(6_999), OPTS);
    expect(none).toEqual([]);
    const stop = jobActions(log.state, { place: [], waiting: [] }, at(7_000), OPTS);
    expect(stop).toEqual([{ jobId: 'j', commandId: 'max-run-time/j', command: expect.objectContaining({ type: 'StopJob', data: { by: 'scheduler', reason: 'max-run-time', maxRunHours: 2 } }) }]);
  });

  it('turns plan preemptions into PreemptJob with the grace period and the preemptor priority', () => {
    const log = new Log().node('n1')
      .job('low', ...created('low', spec({ preemptible: true }))).job('low', placed()).job('low', ...started())
      .job('high', ...created('high', spec({ priority: 2 })));
    const [a] = jobActions(log.state, { place: [], waiting: [], preempt: [{ victimJobId: 'low', forJobId: 'high' }] }, at(120_000), OPTS);
    expect(a).toMatchObject({ jobId: 'low', commandId: 'preempt/low/1', command: { type: 'PreemptJob', data: { by: 'high', byPriority: 2, graceMs: 5000, minRunMs: 60_000 } } });
  });

  it('a reclaim is a PreemptJob marked reclaim; a cycle the planner stopped is recorded on the job kept from preempting', () => {
    const log = new Log().node('n1')
      .job('low', ...created('low', spec({ preemptible: true }))).job('low', placed()).job('low', ...started())
      .job('owner', ...created('owner', spec()));
    const plan = { place: [], waiting: [], preempt: [{ victimJobId: 'low', forJobId: 'owner', kind: 'reclaim' as const }], cyclesPrevented: [] };
    const [a] = jobActions(log.state, plan, at(120_000), OPTS);
    expect(a).toMatchObject({ jobId: 'low', command: { type: 'PreemptJob', data: { by: 'owner', byPriority: 1, reclaim: true } } });
    const [c] = jobActions(log.state, { place: [], waiting: [], cyclesPrevented: [{ jobId: 'owner', victimJobId: 'low' }] }, at(120_000), { ...OPTS, preemptionCycleWindowMs: 60_000 });
    expect(c).toEqual({ jobId: 'owner', commandId: 'cycle/owner/low/1', command: expect.objectContaining({ type: 'RecordPreemptionCycle', data: { victim: 'low', windowMs: 60_000 } }) });
  });

  it('records a wait reason only when it changed materially', () => {
    const log = new Log().node('n1').job('w', ...created('w', spec()));
    const waiting = [{ jobId: 'w', reason: 'INSUFFICIENT_RESOURCES' as const, position: 1, deficit: { cpu: 1 }, poolDeficit: { cpu: 1 }, unplacedInstances: 1 }];
    const [first] = jobActions(log.state, { place: [], waiting }, at(0), OPTS);
    expect(first.command).toMatchObject({ type: 'RecordWaitReason', data: { reason: { code: 'INSUFFICIENT_RESOURCES', position: 1, deficit: { cpu: 1 }, unplacedInstances: 1 } } });
    log.job('w', event('JobWaiting', T0, { reason: toWaitReason(waiting[0]) }));
    expect(jobActions(log.state, { place: [], waiting: [{ ...waiting[0], deficit: { cpu: 1.05 } }] }, at(0), OPTS)).toEqual([]);
  });

  it('records no wait reason while the replica has not yet heard whether the nodes live (just restarted); placements still go', () => {
    const log = new Log().node('n1').job('w', ...created('w', spec())).job('p', ...created('p', spec()));
    const plan = { place: [{ jobId: 'p', placements: [{ task: 'worker-0', index: 0, nodeId: 'n1', host: 'n1' }] }], waiting: [{ jobId: 'w', reason: 'NO_NODES_IN_POOL' as const, position: 0 }] };
    expect(jobActions(log.state, plan, at(0), { ...OPTS, recordWaits: false }).map((a) => a.command.type)).toEqual(['ScheduleJob']);
    expect(jobActions(log.state, plan, at(0), OPTS).map((a) => a.command.type)).toEqual(['ScheduleJob', 'RecordWaitReason']);
  });

  it('records a new cause at once, the moved numbers of the same cause only after refreshMs, with the policy in the command', () => {
    const log = new Log().node('n1').job('w', ...created('w', spec({}, 2)));
    const short = { jobId: 'w', reason: 'INSUFFICIENT_RESOURCES' as const, position: 9, deficit: { cpu: 1 }, poolDeficit: { cpu: 1 }, unplacedInstances: 2 };
    log.job('w', event('JobWaiting', T0, { reason: toWaitReason(short) }));
    const opts = { ...OPTS, waitReasons: { refreshMs: 5_000 } };
    // The partial fit of the flap: one instance has room now, the other not; the position fell.
    const partial = { ...short, position: 4, deficit: {}, poolDeficit: {}, unplacedInstances: 1 };
    expect(jobActions(log.state, { place: [], waiting: [partial] }, at(4_999), opts)).toEqual([]);
    expect(jobActions(log.state, { place: [], waiting: [partial] }, at(5_000), opts)[0].command).toMatchObject({
      type: 'RecordWaitReason', data: { reason: { code: 'INSUFFICIENT_RESOURCES', position: 4, unplacedInstances: 1 }, policy: { refreshMs: 5_000 } },
    });
    const held = { jobId: 'w', reason: 'HOLDING_RESERVATION' as const, position: 1, deficit: { cpu: 1 }, unplacedInstances: 2, reservation: { kind: 'backfill' as const, startsAt: null, expiresAt: at(60_000).toISOString(), nodes: 2 } };
    expect(jobActions(log.state, { place: [], waiting: [held] }, at(1), opts)[0].command).toMatchObject({ data: { reason: { code: 'HOLDING_RESERVATION', startsAt: null } } });
  });

  it('fails a re-queued job once it waited past the limit', () => {
    const log = new Log().node('n1')
      .job('p', ...created('p', spec({ preemptible: true }))).job('p', placed()).job('p', ...started())
      .job('p', event('JobPreempted', T0, { attempt: 1, by: 'x', byPriority: 3, graceMs: 1 }))
      .job('p', event('TaskExited', T0, { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, reason: 'stopped' }), event('JobQueued', T0, { priority: 1, requeue: 'preemption' }));
    expect(jobActions(log.state, { place: [], waiting: [] }, at(29_999), OPTS)).toEqual([]);
    expect(jobActions(log.state, { place: [], waiting: [] }, at(30_000), OPTS)[0]).toMatchObject({ commandId: 'requeue-timeout/p/1', command: { type: 'FailRequeuedJob' } });
  });
});

describe('scheduler - cluster view', () => {
  it('shows running jobs with their start and remaining limit, node labels, and queued affinity groups', () => {
    const log = new Log().node('n1', { 'trainyard.io/supernode': 'sn-1' })
      .job('r', ...created('r', spec({ preemptible: true, maxRunHours: 3 }))).job('r', placed()).job('r', ...started())
      .job('q', ...created('q', spec({ resource: { flavor: { cpu: 1, memoryMiB: 256 }, nodeCount: 2, affinityGroupSize: 2 } }, 2)));
    const young = buildClusterView(log.state, () => true, at(30_000), { hourMs: 3_600_000 });
    expect(young.running).toEqual([{ jobId: 'r', pool: 'default', priority: 1, preemptible: true, startedAt: T0, maxRunHours: 3, flavor: { cpu: 1, memoryMiB: 256 }, nodeIds: ['n1'] }]);
    expect(young.nodes[0]).toMatchObject({ id: 'n1', labels: { 'trainyard.io/supernode': 'sn-1' }, used: { cpu: 1 } });
    expect(young.queue).toEqual([expect.objectContaining({ jobId: 'q', nodeCount: 2, affinityGroupSize: 2 })]);
    // Configured hours shorter than real ones: the planner gets the remaining limit in real hours.
    expect(buildClusterView(log.state, () => true, at(0), { hourMs: 1_800_000 }).running[0].maxRunHours).toBe(1.5);
  });
});
