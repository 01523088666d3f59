import { readFileSync, rmSync } from 'node:fs';
import { TEST_ADMIN_AUTH, writableTempDir } from '@trainyard/testing';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { eventually } from './support/eventually';
import { startProcessCluster, type ProcessCluster } from './support/process-cluster';
import { startService, yard, type ServiceProcess } from './support/processes';
import { shellJob } from './support/specs';

const JOBS = 100;

/**
 * Issue 9, finding 5: the platform's own crash must not fail a user's job. The all-in-one (`npm start`:
 * API, scheduler, fault manager, log router, two agents in one process) is SIGKILLed three times
 * while 100 two-instance jobs without any fault-tolerance annotation run. Tasks outlive the process
 * and are re-adopted; an attempt lost before its command ran is launched again by its agent. Every
 * job completes, no attempt's command runs twice (each start appends a line to a file outside the
 * platform), and the read models equal a rebuild from the log.
 */
describe('platform crash - the all-in-one SIGKILLed three times under 100 running jobs', () => {
  let c: ProcessCluster;
  let allInOne: ServiceProcess | undefined;
  const start = async () => {
    allInOne = await startService('all-in-one', 'all-in-one', c.env, /Trainyard is up/);
  };
  beforeAll(async () => {
    c = await startProcessCluster();
    await start();
  }, 180_000);
  afterAll(async () => {
    await allInOne?.stop();
    await c?.stop();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(c.apiUrl + path, { method, headers: { ...TEST_ADMIN_AUTH, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  /** Retries through the moments the API is down. */
  const retrying = <T>(f: () => Promise<T>) => eventually(async () => f().catch(() => undefined), 60_000);

  it('all 100 jobs complete, no attempt started twice, projections equal a rebuild; prints the most JobWaiting events of a job', async () => {
    // Tasks run as uid 1000: they append to a dir anyone may write to.
    const shared = writableTempDir('ty-crash-starts-');
    onTestFinished(() => rmSync(shared, { recursive: true, force: true }));
    const starts = join(shared, 'starts.txt');
    // Each start of a task's command appends "<job> <index> <schedule count> <start count>" (O_APPEND: whole lines).
    const script = `echo "$JOB_ID $VC_TASK_INDEX $MA_SCHEDULE_CNT $MA_PROC_START_CNT" >> '${starts}'; echo up; sleep 2; echo done`;
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const spec = shellJob(`crash-${i}`, script, 2);
      spec.spec.resource.flavor = { cpu: 0.1, memoryMiB: 64 };
      const r = await call('POST', '/v1/training-jobs', spec);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }

    const outputs: string[] = [];
    for (const pause of [3_000, 6_000, 6_000]) {
      await new Promise((r) => setTimeout(r, pause));
      await allInOne!.kill(); // SIGKILL: nothing runs its shutdown, tasks live on
      outputs.push(allInOne!.output());
      await start();
    }

    const states = await eventually(
      async () => {
        const rows = await Promise.all(ids.map((id) => call('GET', `/v1/training-jobs/${id}`).then((r) => r.body?.state).catch(() => undefined)));
        if (rows.every((s) => s === 'completed' || s === 'failed' || s === 'terminated' || s === 'abnormal')) return rows;
        await new Promise((r) => setTimeout(r, 1_000)); // 100 reads a round: not too often
        return undefined;
      },
      240_000,
    );
    const notCompleted = ids.filter((_, i) => states[i] !== 'completed');
    const why = await Promise.all(notCompleted.slice(0, 3).map(async (id) => `${id}: ${(await call('GET', `/v1/training-jobs/${id}/events`)).body.items.map((e: any) => `${e.type} ${e.message}${e.type === "TaskExited" ? JSON.stringify(e.data) : ""}`).join(' | ')}`));
    expect(notCompleted, why.join('\n')).toEqual([]);

    // No command ran twice, and every task's ran: one line per (job, task), first schedule, first start.
    const lines = readFileSync(starts, 'utf8').trim().split('\n');
    const counts = new Map<string, number>();
    for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([]);
    expect(new Set(lines).size).toBe(JOBS * 2);
    expect(lines.every((l) => / [01] 1 1$/.test(l))).toBe(true);

    let maxWaiting = 0;
    let maxWaitingJob = '';
    for (const id of ids) {
      const evs = (await retrying(() => call('GET', `/v1/training-jobs/${id}/events`)))!.body.items as { type: string; data: any }[];
      const started = evs.filter((e) => e.type === 'TaskStarted').map((e) => `${e.data.task}/${e.data.attempt}/${e.data.procStartCount}`);
      expect(started.sort(), id).toEqual(['worker-0/1/1', 'worker-1/1/1']);
      const waiting = evs.filter((e) => e.type === 'JobWaiting').length;
      if (waiting > maxWaiting) [maxWaiting, maxWaitingJob] = [waiting, id];
    }
    outputs.push(allInOne!.output());
    const relaunched = outputs.join('').split('\n').filter((l) => l.includes("launching it again")).length;
    const adopted = outputs.join('').split('\n').filter((l) => l.includes('task of an earlier run re-adopted')).length;
    console.log(`platform crash: ${adopted} task(s) re-adopted, ${relaunched} relaunched (lost before their command ran); the most JobWaiting events of one job: ${maxWaiting} (${maxWaitingJob})`);

    const verify = await yard(['admin', 'rebuild', '--verify', '--json'], c.apiUrl);
    expect(JSON.parse(verify.stdout)).toMatchObject({ equal: true, differences: [] });
    // "At most a handful": a queued job's wait reason is recorded when it changes in substance.
    expect(maxWaiting).toBeLessThanOrEqual(5);
  }, 420_000);
});
