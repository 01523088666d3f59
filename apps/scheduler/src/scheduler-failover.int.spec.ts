import type { NatsConnection } from '@nats-io/transport-node';
import { event, Subjects, type CommandReply, type JobEvent, type NodeEvent, type StoredCommit } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog } from '@trainyard/event-log';
import { planGangs } from '@trainyard/scheduling';
import { startNatsServer, type NatsServer } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchCommitter } from './batch-committer';
import { ClusterState } from './cluster-state';
import { buildClusterView } from './cluster-view.builder';
import { followUpActions } from './follow-up-actions';
import { jobActions } from './job-actions';
import { DEFAULT_SCHEDULER_OPTIONS, type SchedulerOptions } from './scheduler-service';
import { startScheduler, type SchedulerApp } from './start-scheduler';

const NODES = ['n1', 'n2'];
const OPTIONS: Partial<SchedulerOptions> = {
  heartbeatTimeoutMs: 5_000,
  tickMs: 100,
  lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 1_500 },
  log: () => undefined,
};

describe('scheduler - leader failover', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let log: JetStreamEventLog;
  let beats: NodeJS.Timeout;
  const replicas: { nc: NatsConnection; s: SchedulerApp }[] = [];

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connectNats(nats.url, 'test');
    await ensureStreams(nc);
    log = new JetStreamEventLog(nc);
    for (const id of NODES) {
      const data = { nodeId: id, host: `${id}.lan`, pool: 'default', capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, labels: {} };
      await log.append(Subjects.node(id), [event('NodeRegistered', new Date().toISOString(), data)], { commandId: `reg-${id}`, correlationId: 'x', actor: 'test' }, 0);
    }
    const beat = () => NODES.forEach((id) => nc.publish(Subjects.heartbeat(id), JSON.stringify({ nodeId: id, time: new Date().toISOString(), running: [] })));
    beat();
    beats = setInterval(beat, 200);
  });

  afterAll(async () => {
    clearInterval(beats);
    for (const r of replicas) {
      await r.s.stop();
      await r.nc.drain();
    }
    await nc?.drain();
    await nats?.stop();
  });

  const replica = async (holder: string) => {
    const rnc = await connectNats(nats.url, holder);
    const s = await startScheduler({ nc: rnc, log: new JetStreamEventLog(rnc), options: { ...DEFAULT_SCHEDULER_OPTIONS, ...OPTIONS, lease: { ...(OPTIONS.lease as object), holder } as never } });
    replicas.push({ nc: rnc, s });
    return s;
  };

  const submit = async (jobId: string) => {
    const spec = { kind: 'job', metadata: { name: jobId }, algorithm: { command: 'true' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 256 }, nodeCount: 2 } } };
    const body = { commandId: `submit-${jobId}`, jobId, spec, caller: { id: 'user:t', permissions: [] } };
    const reply = (await nc.request(Subjects.command('scheduler', 'submit'), JSON.stringify(body), { timeout: 5_000 })).json<CommandReply>();
    if (!reply.ok) throw new Error(JSON.stringify(reply.error));
  };

  const commits = async () => {
    const out: StoredCommit[] = [];
    await log.replay((c) => void out.push(c));
    return out;
  };
  const scheduledOrder = (cs: StoredCommit[]) =>
    cs.flatMap((c) => (c.events as JobEvent[]).filter((e) => e.type === 'JobScheduled').map(() => Subjects.parseAggregate(c.subject)!.id));
  const until = async (probe: () => Promise<boolean> | boolean, timeoutMs = 15_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const finish = async (jobId: string) => {
    for (const i of [0, 1]) {
      const cs = await log.read(Subjects.job(jobId));
      const placement = cs.commits.flatMap((c) => c.events as JobEvent[]).find((e) => e.type === 'JobScheduled');
      const task = placement?.type === 'JobScheduled' ? placement.data.placements[i] : undefined;
      if (!task) throw new Error(`${jobId} not placed`);
      const t = new Date().toISOString();
      await log.append(Subjects.job(jobId), [
        event('TaskExited', t, { task: task.task, attempt: 1, nodeId: task.nodeId, exitCode: 0, reason: 'exited' }),
        ...(i === 1 ? [event('JobSucceeded', t, { attempt: 1 })] : []),
      ], { commandId: `exit-${jobId}-${i}`, correlationId: 'x', actor: 'test' }, cs.lastSeq);
    }
  };

  it('failover - the standby takes over within seconds of a leader crash, keeps the queue order and places nothing twice', async () => {
    const a = await replica('sched-a');
    await until(() => a.isLeader());
    const b = await replica('sched-b');
    expect(b.isLeader()).toBe(false);

    // Two nodes of 2 cpu: two 2×1-cpu jobs fit, the next three wait in FIFO order.
    for (const id of ['j1', 'j2', 'j3', 'j4', 'j5']) await submit(id);
    await until(async () => scheduledOrder(await commits()).length === 2);
    expect(scheduledOrder(await commits())).toEqual(['j1', 'j2']);
    const beforeCrash = (await commits()).at(-1)!.seq;

    await a.stop({ releaseLease: false });
    // The lease (TTL 1.5 s) ages out, then the standby's create succeeds.
    await until(() => b.isLeader(), 10_000);

    // The new leader answers commands and keeps the queue: j3 and j4 go first as capacity frees.
    await submit('j6');
    await finish('j1');
    await until(async () => scheduledOrder(await commits()).length === 3);
    await finish('j2');
    await until(async () => scheduledOrder(await commits()).length === 4);
    const all = await commits();
    expect(scheduledOrder(all)).toEqual(['j1', 'j2', 'j3', 'j4']);

    // Nothing placed or assigned twice.
    const assigned = all.flatMap((c) => (c.events as NodeEvent[]).filter((e) => e.type === 'TaskAssigned').map((e) => e.type === 'TaskAssigned' && `${e.data.jobId}/${e.data.task}/${e.data.attempt}`));
    expect(new Set(assigned).size).toBe(assigned.length);
    expect(assigned).toHaveLength(8);

    // A deposed leader's late decisions, made on its stale picture, are fenced by the expected
    // sequences on both job and node subjects.
    const stale = new ClusterState();
    for (const c of all) if (c.seq <= beforeCrash) stale.apply(c);
    const committer = new BatchCommitter(log, stale);
    const view = buildClusterView(stale, () => true, new Date(), { hourMs: 3_600_000 });
    const plan = planGangs(view);
    const late = jobActions(stale, { ...plan, place: [{ jobId: 'j3', placements: [{ task: 'worker-0', index: 0, nodeId: 'n1', host: 'n1.lan' }, { task: 'worker-1', index: 1, nodeId: 'n2', host: 'n2.lan' }] }] }, new Date(), {
      preemptGraceMs: 1, minRunMs: 0, hourMs: 3_600_000, requeueTimeoutMs: 60_000,
    });
    // (Only the placement: a late wait reason on a job nobody touched since is a valid write.)
    const jobResult = await committer.jobs(late.filter((x) => x.command.type === 'ScheduleJob'));
    expect(late.some((x) => x.command.type === 'ScheduleJob')).toBe(true);
    // The same command id as the new leader's placement: the log's de-duplication answers it.
    expect(jobResult.committed).toBe(0);
    expect(jobResult.conflicts + jobResult.duplicates).toBeGreaterThan(0);
    const other = await committer.jobs(late.filter((x) => x.command.type === 'ScheduleJob').map((x) => ({ ...x, commandId: 'late-schedule' })));
    expect(other).toMatchObject({ committed: 0, duplicates: 0, conflicts: 1 });
    const nodeResult = await committer.nodes(followUpActions(stale).concat([{
      kind: 'stop', nodeId: 'n1', commandId: 'late-stop', jobId: 'j1', task: 'worker-0', attempt: 1, reason: 'late',
    }]), 1000, new Date());
    expect(nodeResult, JSON.stringify(nodeResult)).toMatchObject({ committed: 0 });
    expect(nodeResult.conflicts, JSON.stringify(nodeResult)).toBeGreaterThan(0);
  });
});
