import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../apps/notifier/src/index';
import { eventually } from './support/eventually';
import { DEFAULT_PREFLIGHT } from '../apps/node-agent/src/preflight/preflight-settings';
import { eventOf, events, FAST_FAULTS, logLines, submit, withFaultTolerance } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Hang detection end to end: the agents' resource sampler (every 200 ms) and the tasks' log output
 * feed the fault manager's detector; the guide's 30-minute window is scaled to 1.8 s. The nodes
 * declare one (fake) GPU, as hang detection is for accelerator jobs only; without a GPU counter the
 * utilisation is unknown, which does not disprove a hang.
 */
describe('hang recovery - a silent, idle job is suspected hung, dumps its stack and restarts in place', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({
      faultManager: FAST_FAULTS,
      resourceSampleMs: 200,
      agents: ['node-1', 'node-2'].map((nodeId) => ({
        nodeId,
        capacity: { cpu: 2, memoryMiB: 2048, gpu: 1, npu: 0 },
        heartbeatMs: 500,
        stopGraceMs: 1_000,
        // No nvidia-smi here: the fake GPU would fail its pre-check.
        preflight: { ...DEFAULT_PREFLIGHT, enabled: false },
      })),
    });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('J10 after a window of silence, a stack dump (SIGUSR1) in the task log, a hang restart (MA_PROC_START_CNT=2), and the job completes', async () => {
    const script = [
      'trap \'echo "STACK DUMP: thread main waiting in allreduce (train.py:42)"\' USR1',
      'echo "start=$MA_PROC_START_CNT"',
      // The first run goes silent and idle; `wait` lets the trap run at once.
      'if [ "$MA_PROC_START_CNT" = "1" ]; then while :; do sleep 1 & wait $!; done; fi',
      'echo finished',
    ].join('\n');
    const spec = shellJob('hangs', script);
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, gpu: 1 };
    const id = await submit(t.api, withFaultTolerance(spec, { 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }));
    // 作业疑似卡死 is notifiable for a GPU job (issue 15): a webhook on loopback gets it.
    const hooks: { body: string; signature: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => (hooks.push({ body, signature: String(req.headers['trainyard-signature']) }), res.writeHead(204).end()));
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = await t.api.call('POST', '/v1/notifications', { job: id, events: ['suspected-hang'], url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/h` });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    await logLines(t.api, id, 'worker-0', 1, /start=1/);

    const hang = await eventOf(t.api, id, (e) => e.type === 'JobSuspectedHang', 60_000);
    const notified = await eventually(async () => hooks[0]);
    receiver.close();
    expect(JSON.parse(notified.body)).toMatchObject({ event: 'suspected-hang', eventZh: '作业疑似卡死', job: { id }, data: { attempt: 1 } });
    expect(verifyWebhook(hook.body.secret, notified.body, notified.signature, { now: Math.floor(Date.now() / 1000), toleranceSeconds: 300 })).toBe(true);
    expect(hang).toMatchObject({ messageZh: '系统检测到您的作业疑似卡死，请及时前往作业详情界面查看并处理', data: { attempt: 1, evidence: { windowMs: 1800 } } });
    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'succeeded', attempt: 1, procStartCount: 2 });

    const evs = await events(t.api, id);
    const decided = evs.find((e) => e.type === 'RecoveryDecided');
    expect(decided.data).toMatchObject({ rule: 'hang-restart', action: 'hang-restart', fault: { kind: 'hang' }, restarts: { current: 0, max: 3 }, consecutive: 1 });
    expect(evs.find((e) => e.type === 'JobRestarted').data).toMatchObject({ mode: 'hang', tasks: ['worker-0'] });

    const lines = await logLines(t.api, id, 'worker-0', 1, /finished/);
    const dumpAsked = lines.findIndex((l) => /stack dump \(SIGUSR1\)/.test(l));
    const dump = lines.findIndex((l) => l.startsWith('STACK DUMP:'));
    const restarted = lines.indexOf('start=2');
    expect(dumpAsked).toBeGreaterThanOrEqual(0);
    expect(dump).toBeGreaterThan(dumpAsked);
    expect(restarted).toBeGreaterThan(dump);

    // Not suspected before a whole window of silence had passed since the task's last output.
    const items = (await t.api.call('GET', `/v1/training-jobs/${id}/tasks/worker-0/logs?attempt=1&limit=10000`)).body.items;
    const lastOutput = Date.parse(items.find((l: any) => l.text === 'start=1').ts);
    expect(Date.parse(hang.time) - lastOutput).toBeGreaterThanOrEqual(hang.data.evidence.windowMs);

    // The recovery view: the guide's "容错与恢复" with the decision and the hang.
    const recovery = (await t.api.call('GET', `/v1/training-jobs/${id}/recovery`)).body;
    expect(recovery.policy).toMatchObject({ autoRestart: true, maxRestarts: 3, hangRetry: true });
    expect(recovery.restarts).toEqual({ current: 0, max: 3 });
    expect(recovery.history.map((h: any) => h.kind)).toEqual(['suspected-hang', 'decision']);
  });

  it('a job\'s own MA_HANG_DETECT_TIME is the window its hang is judged over (L12522-12534, L7715-7717)', async () => {
    const script = ['echo "start=$MA_PROC_START_CNT"', 'if [ "$MA_PROC_START_CNT" = "1" ]; then while :; do sleep 1 & wait $!; done; fi', 'echo finished'].join('\n');
    const spec = shellJob('hangs-later', script);
    spec.spec.resource.flavor = { cpu: 0.5, memoryMiB: 128, gpu: 1 };
    // 60 minutes, twice the cluster's 30 (both scaled like the cluster's: 3.6 s here).
    spec.algorithm.environments = { MA_HANG_DETECT_TIME: '60' };
    const id = await submit(t.api, withFaultTolerance(spec, { 'fault-tolerance/job-retry-num': '3', 'fault-tolerance/hang-retry': 'true' }));
    await logLines(t.api, id, 'worker-0', 1, /start=1/);
    const hang = await eventOf(t.api, id, (e) => e.type === 'JobSuspectedHang', 60_000);
    expect(hang.data.evidence.windowMs).toBe(3600);
    // Restarted (in place, or elsewhere if this node counts two hangs against it), it completes.
    await t.api.waitFor(id, 'completed', 60_000);
  });
});
