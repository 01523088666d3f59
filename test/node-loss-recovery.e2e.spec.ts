import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { eventOf, events, FAST_FAULTS, logLines, submit, withFaultTolerance } from './support/fault-injection';
import { buildOnce, startService, type ServiceProcess } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Node loss: the agent of node-2 runs as its own process and is SIGKILLed mid-run (its heartbeats
 * stop; its task's process, under its supervisor, keeps running as on a partitioned machine). The
 * fault manager marks the node suspect, then lost; the task is recovered on node-1. When the old
 * agent comes back it is fenced: the moved task is stopped there and its late reports change nothing.
 */
describe('node loss - a killed agent\'s task is recovered on another node; the agent coming back is fenced', () => {
  let t: TestCluster;
  let agent: ServiceProcess | undefined;
  const agentEnv = () => ({
    TY_NATS_URL: t.nats.url,
    TY_NODE_ID: 'node-2',
    TY_NODE_CPU: '2',
    TY_NODE_MEMORY_MIB: '2048',
    TY_NODE_WORK_DIR: join(t.dataDir, 'agents', 'node-2'),
    TY_HEARTBEAT_MS: '500',
    TY_STOP_GRACE_MS: '1000',
    TY_PREFLIGHT: 'off',
  });

  beforeAll(async () => {
    buildOnce();
    t = await startTestCluster({
      faultManager: FAST_FAULTS,
      agents: ['node-1', 'node-3'].map((nodeId) => ({ nodeId, capacity: { cpu: 2, memoryMiB: 2048, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 1_000 })),
    });
    agent = await startService('node-2', 'node-agent', agentEnv(), /node agent ready/);
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await t?.[Symbol.asyncDispose]();
  });

  const preferNode2 = { nodeAffinity: [{ type: 'affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': 'node-2' } }] };

  it('isolating job reschedule: the lost node is isolated, the job runs again on node-1 and completes; the old agent is fenced', async () => {
    const script = 'echo "schedule=$MA_SCHEDULE_CNT on $MA_CURRENT_INSTANCE_NAME"; if [ "$MA_SCHEDULE_CNT" = "1" ]; then sleep 60; fi; echo done';
    const id = await submit(t.api, withFaultTolerance(shellJob('node-loss', script, 1, preferNode2), { 'fault-tolerance/job-retry-num': '2' }));
    const started = await eventOf(t.api, id, (e) => e.type === 'TaskStarted');
    expect(started.data.nodeId).toBe('node-2');
    await logLines(t.api, id, 'worker-0', 1, /schedule=1/);

    await agent!.kill();
    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'succeeded', attempt: 2 });
    expect(done.tasks[0].nodeId).not.toBe('node-2');

    const evs = await events(t.api, id);
    const lost = evs.find((e) => e.type === 'TaskExited' && e.data.reason === 'lost');
    expect(lost).toMatchObject({ actor: 'fault-manager', data: { nodeId: 'node-2', attempt: 1 } });
    expect(evs.find((e) => e.type === 'RecoveryDecided').data).toMatchObject({
      rule: 'isolating-reschedule', action: 'reschedule-job', isolate: ['node-2'], restarts: { current: 1, max: 2 },
      fault: { kind: 'node-lost', nodeId: 'node-2', task: 'worker-0' },
    });
    expect(evs.find((e) => e.type === 'JobQueued' && e.data.requeue === 'fault-recovery')).toBeDefined();
    expect(await logLines(t.api, id, 'worker-0', 2, /done/)).toContain('schedule=2 on modelarts-job-' + id + '-worker-0');

    // The node went suspect, then isolated as lost (the scheduler placed nothing there meanwhile).
    const node2 = (await t.api.call('GET', '/v1/nodes')).body.items.find((n: any) => n.id === 'node-2');
    expect(node2).toMatchObject({ availability: 'isolated', isolation: { reason: 'node-lost' } });

    // The old agent comes back: it re-adopts what it left running, is told to stop it, and whatever it
    // reports about attempt 1 is stale; the node returns to service by itself.
    const before = evs.length;
    agent = await startService('node-2', 'node-agent', agentEnv(), /node agent ready/);
    await eventually(async () => {
      const n = (await t.api.call('GET', '/v1/nodes')).body.items.find((x: any) => x.id === 'node-2');
      return n.availability === null || n.availability === 'in-service' ? n : undefined;
    }, 20_000);
    const nodeEvents = await t.cluster.eventLog.read('ty.ev.node.node-2');
    // From the task's assignment on: an agent process that registers more than lease + grace after the
    // fault manager started is isolated and returned at once (a node never heard counts from the
    // replica's start), which a loaded machine's process start-up can reach.
    const all = nodeEvents.commits.flatMap((c) => c.events.map((e) => e.type));
    const types = all.slice(all.indexOf('TaskAssigned'));
    expect(types).toEqual(expect.arrayContaining(['NodeSuspect', 'NodeIsolated', 'TaskStopRequested', 'NodeReturned']));
    expect(types.indexOf('NodeSuspect')).toBeLessThan(types.indexOf('NodeIsolated'));
    await new Promise((r) => setTimeout(r, 2_000));
    const after = await events(t.api, id);
    const job = (await t.api.call('GET', `/v1/training-jobs/${id}`)).body;
    expect(job.state).toBe('completed');
    expect(job.tasks[0]).toMatchObject({ nodeId: done.tasks[0].nodeId, attempt: 2, state: 'succeeded' });
    // Nothing the old agent said was recorded on the job.
    expect(after.slice(before).filter((e) => e.actor === 'node:node-2')).toEqual([]);
  });

  it('pod reschedule: only the lost node\'s task moves, the other restarts in place; the job completes', async () => {
    const script = [
      'echo "index=$VC_TASK_INDEX schedule=$MA_SCHEDULE_CNT start=$MA_PROC_START_CNT hosts=$VC_WORKER_HOSTS"',
      // Both ranks wait until the lost one was moved (its schedule count grew) and everyone restarted.
      'if [ "$MA_SCHEDULE_CNT" = "1" ] && [ "$MA_PROC_START_CNT" = "1" ]; then sleep 60; fi',
      'echo done',
    ].join('; ');
    const spec = shellJob('pod-move', script, 2, {
      nodeAffinity: [{ type: 'anti-affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': 'node-1' } }],
    });
    // One instance per node: a 1.5-cpu flavor on 2-cpu nodes; node-1 (avoided) stays free for the move.
    spec.spec.resource.flavor = { cpu: 1.5, memoryMiB: 128 };
    const id = await submit(t.api, withFaultTolerance(spec, { 'fault-tolerance/job-retry-num': '2', 'fault-tolerance/pod-retry-num': '1' }));
    await t.api.waitFor(id, 'running', 30_000);
    const placed = await eventOf(t.api, id, (e) => e.type === 'JobScheduled');
    const onNode2 = placed.data.placements.find((p: any) => p.nodeId === 'node-2');
    expect(onNode2).toBeDefined();
    await eventually(async () => ((await events(t.api, id)).filter((e) => e.type === 'TaskStarted').length === 2 ? true : undefined));

    await agent!.kill();
    const done = await t.api.waitFor(id, 'completed', 60_000);
    const moved = done.tasks.find((x: any) => x.name === onNode2.task);
    expect(moved).toMatchObject({ nodeId: 'node-1', attempt: 1, state: 'succeeded' });
    const evs = await events(t.api, id);
    expect(evs.find((e) => e.type === 'RecoveryDecided').data).toMatchObject({
      rule: 'pod-reschedule', action: 'reschedule-pod', tasks: [onNode2.task], podRestarts: { current: 1, max: 1 }, restarts: { current: 0, max: 2 },
    });
    // No job reschedule: the scheduler (the only placer) places just the moved task, same attempt.
    const scheduled = evs.filter((e) => e.type === 'JobScheduled');
    expect(scheduled.map((e) => e.data.attempt)).toEqual([1, 1]);
    expect(scheduled[1].data.placements).toEqual([expect.objectContaining({ task: onNode2.task, nodeId: 'node-1' })]);
    const other = done.tasks.find((x: any) => x.name !== onNode2.task);
    expect(other.procStartCount).toBe(2);
    expect(await logLines(t.api, id, onNode2.task, 1, /schedule=2 start=1/)).toEqual(expect.arrayContaining([expect.stringMatching(/schedule=2 start=1 hosts=127\.0\.0\.1,127\.0\.0\.1/)]));
  });
});
