import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { buildServicesOnce, startService, type ServiceProcess } from './support/processes';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * J03 (准备阶段超时, L9938) and the `abnormal` state (异常, issue 14): a job is placed on a node whose
 * agent is frozen (SIGSTOP: its process lives, it consumes nothing), so no task of it ever starts. Past
 * the preparation limit the scheduler ends it abnormal with the guide's message; once the agent thaws
 * it finds the assignment stopped and released, and launches nothing.
 */
describe('preparation timeout - a placed job none of whose tasks starts ends abnormal (J03)', () => {
  let t: TestCluster;
  let agent: ServiceProcess | undefined;

  beforeAll(async () => {
    buildServicesOnce();
    t = await startTestCluster({
      agents: [],
      // The frozen node stays placeable (its last heartbeat is recent enough) and is never declared lost.
      scheduler: { heartbeatTimeoutMs: 60_000, stopGraceMs: 1_000, tickMs: 250, preparationTimeoutMs: 2_000 },
      faultManager: { leaseMs: 120_000, lostGraceMs: 120_000 },
    });
    agent = await startService('node-p', 'node-agent', {
      TY_NATS_URL: t.nats.url,
      TY_NODE_ID: 'node-p',
      TY_NODE_CPU: '2',
      TY_NODE_MEMORY_MIB: '2048',
      TY_NODE_WORK_DIR: join(t.dataDir, 'agents', 'node-p'),
      TY_HEARTBEAT_MS: '500',
      TY_STOP_GRACE_MS: '1000',
      TY_PREFLIGHT: 'off',
    }, /node agent ready/);
    await eventually(async () => ((await t.api.call('GET', '/v1/nodes')).body.items?.some((n: any) => n.id === 'node-p') ? true : undefined));
  }, 120_000);

  afterAll(async () => {
    agent?.child.kill('SIGCONT');
    await agent?.stop();
    await t?.[Symbol.asyncDispose]();
  });

  it('ends abnormal with the guide\'s J03 message; the thawed agent launches nothing and the node lets the attempt go', async () => {
    const marker = join(t.dataDir, 'launched-p');
    agent!.child.kill('SIGSTOP');
    const r = await t.api.call('POST', '/v1/training-jobs', shellJob('never-prepared', `touch '${marker}'; sleep 30`));
    expect(r.status).toBe(201);
    const id = r.body.id;
    const job = await t.api.waitFor(id, 'abnormal', 30_000);
    expect(job.state).toBe('abnormal');

    const events = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
    const types = events.map((e) => e.type);
    expect(types).toContain('JobScheduled');
    expect(types).not.toContain('TaskStarted');
    const abnormal = events.find((e) => e.type === 'JobAbnormal');
    expect(abnormal).toMatchObject({ messageZh: '准备阶段超时。可能原因是跨区域算法同步或者创建共享存储超时', data: { reason: 'preparation-timeout' } });
    // Placed → abnormal took the limit, not the scheduler's whim.
    const placedAt = Date.parse(events.find((e) => e.type === 'JobScheduled').time);
    expect(Date.parse(abnormal.time) - placedAt).toBeGreaterThanOrEqual(2_000);

    // Thawed: the agent reads the assignment, the stop and the release in order; nothing runs.
    agent!.child.kill('SIGCONT');
    const nodeEvents = await eventually(async () => {
      const { commits } = await t.cluster.eventLog.read('ty.ev.node.node-p');
      const es = commits.flatMap((c) => c.events).filter((e) => (e.data as any).jobId === id);
      return es.some((e) => e.type === 'TaskReleased') ? es.map((e) => e.type) : undefined;
    }, 30_000);
    expect(nodeEvents).toEqual(['TaskAssigned', 'TaskStopRequested', 'TaskReleased']);
    const exited = await eventually(async () => {
      const es = (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
      return es.find((e) => e.type === 'TaskExited');
    }, 30_000);
    expect(exited.data).toMatchObject({ reason: 'stopped', nodeId: 'node-p' });
    expect(existsSync(marker)).toBe(false);
    expect((await t.api.call('GET', `/v1/training-jobs/${id}`)).body.state).toBe('abnormal');
  });
});
