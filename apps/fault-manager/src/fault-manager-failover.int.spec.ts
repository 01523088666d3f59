import type { NatsConnection } from '@nats-io/transport-node';
import { event, Subjects, withDefaults, type CommitMeta, type DomainEvent } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultManagerOptions } from './fault-manager-options';
import { startFaultManager, type FaultManagerApp } from './start-fault-manager';

const OPTIONS: Partial<FaultManagerOptions> = {
  leaseMs: 60_000,
  lostGraceMs: 60_000,
  tickMs: 100,
  lease: { bucket: 'TY_LEADER', key: 'fault-manager', ttlMs: 1_500 },
  log: () => undefined,
};

/**
 * One active fault manager (decision 7): two replicas against a real nats-server; only the lease holder
 * decides; when it dies without releasing the lease, the standby takes over after the TTL and decides
 * what is pending — and nothing is decided twice.
 */
describe('fault manager - leader failover', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let log: JetStreamEventLog;
  const replicas: { nc: NatsConnection; fm: FaultManagerApp }[] = [];
  let n = 0;
  const meta = (): CommitMeta => ({ commandId: `test-${n++}`, correlationId: 'x', actor: 'test' });
  const now = () => new Date().toISOString();

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'test');
    await ensureStreams(nc);
    log = new JetStreamEventLog(nc);
    await log.append(Subjects.node('n1'), [event('NodeRegistered', now(), { nodeId: 'n1', host: 'h1', pool: 'default', capacity: { cpu: 4, memoryMiB: 4096, gpu: 0, npu: 0 }, labels: {} })], meta(), 0);
  });

  afterAll(async () => {
    for (const r of replicas) {
      await r.fm.stop();
      await r.nc.drain();
    }
    await nc?.drain();
    await nats?.stop();
  });

  const replica = async (holder: string) => {
    const rnc = await connectNats(nats.url, holder);
    const fm = await startFaultManager({ nc: rnc, log: new JetStreamEventLog(rnc), options: { ...OPTIONS, lease: { ...(OPTIONS.lease as object), holder } as never } });
    replicas.push({ nc: rnc, fm });
    return fm;
  };

  /** A running job with auto restart whose worker was just killed. */
  const killedJob = async (jobId: string) => {
    const spec = withDefaults({ kind: 'job', metadata: { name: jobId, annotations: { 'fault-tolerance/job-retry-num': '3' } }, algorithm: { command: 'x' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 64 } } } });
    const events: DomainEvent[] = [
      event('JobCreated', now(), { jobId, spec, tasks: ['worker-0'], createdBy: 'u' }),
      event('JobQueued', now(), { priority: 1 }),
      event('JobScheduled', now(), { attempt: 1, placements: [{ task: 'worker-0', index: 0, nodeId: 'n1', host: 'h1' }] }),
      event('TaskStarted', now(), { task: 'worker-0', attempt: 1, nodeId: 'n1', procStartCount: 1 }),
      event('JobStarted', now(), { attempt: 1 }),
      event('TaskExited', now(), { task: 'worker-0', attempt: 1, nodeId: 'n1', exitCode: null, signal: 'SIGKILL', reason: 'exited' }),
    ];
    const assignment = { jobId, jobName: jobId, task: 'worker-0', index: 0, attempt: 1, scheduleCount: 1, procStartCount: 1, algorithm: { command: 'x' }, flavor: { cpu: 1, memoryMiB: 64 }, runtime: 'process' as const, hosts: ['h1'] };
    await log.append(Subjects.node('n1'), [event('TaskAssigned', now(), assignment)], meta(), 'any');
    await log.append(Subjects.job(jobId), events, meta(), 0);
  };

  const decisions = async (jobId: string) =>
    (await log.read(Subjects.job(jobId))).commits.flatMap((c) => c.events.filter((e) => e.type === 'RecoveryDecided').map(() => c.meta.actor));

  const until = async (probe: () => Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!(await probe())) {
      if (Date.now() > end) throw new Error('not in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('the leader decides; a crashed leader is replaced after the lease TTL; nothing is decided twice', async () => {
    const a = await replica('fm-a');
    const b = await replica('fm-b');
    await until(async () => a.isLeader() !== b.isLeader());
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];

    await killedJob('j1');
    await until(async () => (await decisions('j1')).length === 1);

    await leader.stop({ releaseLease: false });
    await killedJob('j2');
    await until(async () => standby.isLeader(), 10_000);
    await until(async () => (await decisions('j2')).length === 1);
    // Settled: the new leader re-derives j1's work from state and finds nothing left to do.
    await new Promise((r) => setTimeout(r, 500));
    expect(await decisions('j1')).toHaveLength(1);
    expect(await decisions('j2')).toHaveLength(1);
    // Its in-place restart request reached the node's subject once.
    const restarts = (await log.read(Subjects.node('n1'))).commits.flatMap((c) => c.events).filter((e) => e.type === 'TaskRestartRequested');
    expect(restarts.map((e) => (e.data as { jobId: string }).jobId).sort()).toEqual(['j1', 'j2']);
  });
});
