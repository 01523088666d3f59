import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventOf, events, FAST_FAULTS, logLines, submit, withFaultTolerance } from './support/fault-injection';
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
  });
});

/** The script's main process: the child of the task's supervisor (TaskStarted reports the supervisor). */
function workerPid(supervisor: number): number {
  const children = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.length ? Number(children[0]) : supervisor;
}
