import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { eventOf, events, FAST_FAULTS, logLines, submit, withFaultTolerance, yardIn } from './support/fault-injection';
import { shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Fault injection against the real services (NATS, PostgreSQL, scheduler, fault manager, agents):
 * the guide's recovery strategies end to end, with the fault manager's windows scaled down.
 */
describe('fault recovery - workers that die or fail', () => {
  let t: TestCluster;
  beforeAll(async () => {
    t = await startTestCluster({ faultManager: FAST_FAULTS });
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('a worker killed with SIGKILL restarts in place on its node; the script sees MA_PROC_START_CNT=2 and the job completes', async () => {
    const script = [
      'echo "start=$MA_PROC_START_CNT schedule=$MA_SCHEDULE_CNT"',
      // The first run waits to be killed; the restarted one finishes.
      'if [ "$MA_PROC_START_CNT" = "1" ]; then sleep 60; fi',
      'echo finished',
    ].join('; ');
    const id = await submit(t.api, withFaultTolerance(shellJob('inplace', script), { 'fault-tolerance/job-retry-num': '3' }));
    const started = await eventOf(t.api, id, (e) => e.type === 'TaskStarted');
    await logLines(t.api, id, 'worker-0', 1, /start=1/);
    process.kill(workerPid(started.data.pid), 'SIGKILL');

    const done = await t.api.waitFor(id, 'completed', 60_000);
    expect(done.tasks[0]).toMatchObject({ state: 'succeeded', nodeId: started.data.nodeId, attempt: 1, procStartCount: 2 });
    const evs = await events(t.api, id);
    const decided = evs.find((e) => e.type === 'RecoveryDecided');
    expect(decided.data).toMatchObject({
      rule: 'in-place-restart', action: 'restart-in-place', attempt: 1, restarts: { current: 0, max: 3 },
      fault: { kind: 'process-killed', task: 'worker-0', code: 'SIGKILL', nodeId: started.data.nodeId },
    });
    expect(evs.find((e) => e.type === 'JobRestarted')).toMatchObject({ messageZh: '训练作业已重启', data: { mode: 'in-place', tasks: ['worker-0'] } });
    expect(evs.filter((e) => e.type === 'JobScheduled')).toHaveLength(1);
    const lines = await logLines(t.api, id, 'worker-0', 1, /finished/);
    expect(lines).toContain('start=1 schedule=1');
    expect(lines).toContain('start=2 schedule=1');
  });

  it('a script that exits 1 every time, with unconditional retry: three job reschedules, failed on the fourth, each step an event', async () => {
    const id = await submit(
      t.api,
      withFaultTolerance(shellJob('always-fails', 'echo "schedule=$MA_SCHEDULE_CNT start=$MA_PROC_START_CNT"; exit 1'), {
        'fault-tolerance/job-retry-num': '8',
        'fault-tolerance/job-unconditional-retry': 'true',
      }),
    );
    const failed = await t.api.waitFor(id, 'failed', 90_000).catch(async (err) => {
      throw new Error(`${err.message}\n${JSON.stringify((await events(t.api, id)).map((e) => [e.type, e.data?.rule ?? e.data?.reason]))}`);
    });
    expect(failed.reason).toBe('unconditional-limit');
    const evs = await events(t.api, id);
    const decisions = evs.filter((e) => e.type === 'RecoveryDecided').map((e) => e.data);
    expect(decisions.map((d) => [d.rule, d.action, d.attempt, d.consecutive, `${d.restarts.current}/${d.restarts.max}`])).toEqual([
      ['unconditional-reschedule', 'reschedule-job', 1, 1, '1/8'],
      ['unconditional-reschedule', 'reschedule-job', 2, 2, '2/8'],
      ['unconditional-reschedule', 'reschedule-job', 3, 3, '3/8'],
      ['unconditional-limit', 'fail', 4, 4, '3/8'],
    ]);
    expect(decisions.every((d) => d.fault.kind === 'non-zero-exit' && d.fault.code === 'exit 1')).toBe(true);
    expect(evs.filter((e) => e.type === 'JobRestarted').map((e) => e.data.mode)).toEqual(['job', 'job', 'job']);
    expect(evs.filter((e) => e.type === 'JobQueued' && e.data.requeue === 'fault-recovery')).toHaveLength(3);
    expect(evs.filter((e) => e.type === 'JobScheduled').map((e) => e.data.attempt)).toEqual([1, 2, 3, 4]);
    // MA_SCHEDULE_CNT grows with every reschedule; MA_PROC_START_CNT starts over at 1.
    expect(await logLines(t.api, id, 'worker-0', 4, /schedule=4/)).toContain('schedule=4 start=1');

    // `yard describe` shows the fault tolerance and the recovery history.
    const described = await yardIn(t.cluster.apiUrl, ['describe', id]);
    expect(described.code).toBe(0);
    expect(described.stdout).toContain('Fault tolerance: auto restart on, restarts 3/8, unconditional on, hang retry off');
    // The recovery history names each of the three reschedules once; the goodput section below it
    // gives each its own `Recovery:` line with the phases.
    const lines = described.stdout.split('\n');
    expect(lines.filter((l) => !l.startsWith('Recovery:') && l.includes('unconditional-reschedule'))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('Recovery:') && l.includes('(unconditional-reschedule)'))).toHaveLength(3);
    expect(described.stdout).toMatch(/unconditional-limit\s+fail\s+non-zero-exit exit 1 worker-0/);
  });

  it('failure analysis: a failed task\'s last log lines name the likely cause and the advice, shown with the job', async () => {
    const script = 'echo "epoch 1"; echo "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB" >&2; exit 1';
    const id = await submit(t.api, withFaultTolerance(shellJob('oom', script), { 'fault-tolerance/job-retry-num': '3' }));
    const failed = await t.api.waitFor(id, 'failed', 60_000);
    expect(failed.reason).toBe('workload-failed');
    const analysed = await eventOf(t.api, id, (e) => e.type === 'FailureAnalysed');
    expect(analysed.data).toMatchObject({
      task: 'worker-0', attempt: 1,
      analysis: { rule: 'LF-CUDA-OOM', category: 'out-of-memory', adviceKind: 'reference_case', evidence: [{ seq: 2, text: 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB' }] },
    });
    expect(analysed.messageZh).toContain('失败的可能原因');
    const recovery = (await t.api.call('GET', `/v1/training-jobs/${id}/recovery`)).body;
    expect(recovery.analyses[0]).toMatchObject({ rule: 'LF-CUDA-OOM', task: 'worker-0' });
    const described = await yardIn(t.cluster.apiUrl, ['describe', id]);
    expect(described.stdout).toContain('Possible cause: the accelerator ran out of memory');
  });

  it('scenario 3: a non-zero exit whose log shows a hardware fault isolates the node and reschedules (no unconditional retry needed)', async () => {
    const script = 'if [ "$MA_SCHEDULE_CNT" = "1" ]; then echo "RuntimeError: CUDA error: uncorrectable ECC error encountered" >&2; exit 1; fi; echo ok';
    const id = await submit(t.api, withFaultTolerance(shellJob('ecc', script), { 'fault-tolerance/job-retry-num': '3' }));
    const done = await t.api.waitFor(id, 'completed', 60_000);
    const decided = (await events(t.api, id)).find((e) => e.type === 'RecoveryDecided').data;
    expect(decided).toMatchObject({ rule: 'isolating-reschedule', fault: { kind: 'hardware', hardware: true } });
    expect(done.tasks[0].nodeId).not.toBe(decided.fault.nodeId);
    const uncordoned = await yardIn(t.cluster.apiUrl, ['node', 'uncordon', decided.fault.nodeId, '--reason', 'card replaced']);
    expect(uncordoned).toMatchObject({ code: 0, stdout: `${decided.fault.nodeId}: in service\n` });
  });

  it('a node where tasks of three different jobs are killed is isolated (repeated-failures) though it reports healthy', async () => {
    const onNode2 = { nodeAffinity: [{ type: 'affinity', strength: 'required', labels: { 'trainyard.io/node-id': 'node-2' } }] };
    for (const name of ['victim-a', 'victim-b', 'victim-c']) {
      const id = await submit(t.api, shellJob(name, 'echo up; sleep 60', 1, onNode2));
      const started = await eventOf(t.api, id, (e) => e.type === 'TaskStarted');
      await logLines(t.api, id, 'worker-0', 1, /up/);
      process.kill(workerPid(started.data.pid), 'SIGKILL');
      await t.api.waitFor(id, 'failed', 30_000);
    }
    const node = await eventually(async () => {
      const n = (await t.api.call('GET', '/v1/nodes')).body.items.find((x: any) => x.id === 'node-2');
      return n.availability === 'isolated' ? n : undefined;
    });
    expect(node.isolation).toMatchObject({ reason: 'repeated-failures', by: 'fault-manager' });
    expect(node.isolation.detail).toMatch(/tasks of \d+ different jobs failed on node-2/);
    expect(node.status).toBe('ready');
    expect((await yardIn(t.cluster.apiUrl, ['node', 'uncordon', 'node-2'])).code).toBe(0);
  });
});

/** The script's main process: the child of the task's supervisor (TaskStarted reports the supervisor). */
function workerPid(supervisor: number): number {
  const children = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.length ? Number(children[0]) : supervisor;
}
