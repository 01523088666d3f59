import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writableTempDir } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually';
import { yardIn } from './support/fault-injection';
import { buildOnce } from './support/processes';
import { samples } from './support/prometheus';
import { checkpointingScript, shellJob } from './support/specs';
import { startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Quotas end to end (issue 16), on two 2-cpu agents of pool `default`: two projects of one cohort,
 * each guaranteed 2 cpu. The borrower runs 4 cpu — its own 2 and the owner's idle 2; the owner's job
 * arrives and reclaims them: the borrower gets the notice, acknowledges a checkpoint, is stopped at
 * once, re-queued, the owner's job runs, and the borrower resumes from its checkpoint; no retry budget
 * used. Quotas are set with `yard quota`; `yard submit --dry-run` says what would happen first and
 * appends nothing; the quota gauges and the reclaim counter are on `/metrics`.
 */
describe('quota borrowing and reclaim', () => {
  let t: TestCluster;
  let dir: string;
  const GRACE_MS = 60_000;

  beforeAll(async () => {
    buildOnce();
    dir = writableTempDir('ty-quota-'); // the borrower (uid 1000) checkpoints here
    t = await startTestCluster({
      scheduler: {
        heartbeatTimeoutMs: 3_000, stopGraceMs: 2_000, tickMs: 100, hourMs: 3_600_000,
        // The minimum run time protects against priority preemption only: a reclaim does not wait for it.
        minRunMs: 600_000, preemptGraceMs: GRACE_MS, requeueTimeoutMs: 120_000, preemptionCycleWindowMs: 3_600_000,
        lease: { bucket: 'TY_LEADER', key: 'scheduler', ttlMs: 1_500 },
      },
    });
    for (const id of ['owner', 'borrower']) expect((await t.api.call('POST', '/v1/projects', { id })).status).toBe(201);
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  const yard = (...argv: string[]) => yardIn(t.api.url, argv);
  const submit = async (spec: unknown) => {
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  };
  const events = async (id: string) => (await t.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as any[];
  const logs = async (id: string, task: string) =>
    ((await t.api.call('GET', `/v1/training-jobs/${id}/tasks/${task}/logs?limit=10000`)).body.items as any[]).map((l) => l.text as string);
  const metrics = async () => (await fetch(`${t.api.url}/metrics`, { headers: t.api.auth })).text();
  const specFile = (name: string, spec: unknown) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(spec));
    return file;
  };
  const inProject = (project: string, spec: any) => ({ ...spec, metadata: { ...spec.metadata, project } });
  const ownerJob = () => {
    const j = inProject('owner', shellJob('owner-job', 'echo owner ran; sleep 4', 1));
    j.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    return j;
  };

  it('borrower runs on idle quota, owner reclaims it with notice, borrower resumes; dry run first, metrics after', async () => {
    // Quotas through the CLI; refused input names its field.
    for (const p of ['owner', 'borrower']) {
      const set = await yard('quota', 'set', p, 'default', '--guaranteed', 'cpu=2', '--cohort', 'shared');
      expect(set.code, set.stderr).toBe(0);
    }
    const bad = await t.api.call('PUT', '/v1/projects/owner/quotas/default', { guaranteed: { cpu: 4 }, limit: { cpu: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'limit.cpu', code: 'OUT_OF_RANGE' })]);
    expect((await t.api.call('PUT', '/v1/projects/nobody/quotas/default', { guaranteed: { cpu: 1 } })).status).toBe(404);
    const listed = JSON.parse((await yard('quota', 'list', '--json')).stdout);
    expect(listed.items.map((q: any) => [q.project, q.pool, q.guaranteed, q.cohort])).toEqual([['borrower', 'default', { cpu: 2 }, 'shared'], ['owner', 'default', { cpu: 2 }, 'shared']]);

    // The borrower: 2 instances × 2 cpu, its 2 and the owner's idle 2. SIGTERM is ignored on purpose:
    // only the acknowledged checkpoint can end it before the 60 s grace.
    const script = checkpointingScript();
    // An expected end (its auto-stop in an hour) gives the jobs waiting behind it a start estimate.
    const borrower = inProject('borrower', shellJob('borrower-job', script, 2, { preemptible: true, maxRunHours: 1 }));
    borrower.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    borrower.algorithm.environments = { CKPT_DIR: dir };
    const borrowerId = await submit(borrower);
    await t.api.waitFor(borrowerId, 'running', 30_000);
    await eventually(async () => ((await events(borrowerId)).some((e) => e.type === 'TaskCheckpointed') ? true : undefined), 15_000);

    // Usage: the borrower holds 4 cpu, 2 of them borrowed; the same numbers on /metrics.
    const usage = await eventually(async () => {
      const q = (await t.api.call('GET', '/v1/projects/borrower/quotas')).body.items[0];
      return q?.usage?.used?.cpu === 4 ? q.usage : undefined;
    }, 10_000);
    expect(usage).toEqual({ used: { cpu: 4 }, borrowed: { cpu: 2 } });
    const before = await metrics();
    expect(samples(before, 'trainyard_quota_used', { project: 'borrower', resource: 'cpu' })).toEqual([4]);
    expect(samples(before, 'trainyard_quota_borrowed', { project: 'borrower', resource: 'cpu' })).toEqual([2]);
    expect(samples(before, 'trainyard_quota_guaranteed', { project: 'owner', resource: 'cpu' })).toEqual([2]);

    // Dry runs: the owner's job would reclaim the borrower; a second borrower job would wait on quota.
    const total = (await t.api.call('GET', '/v1/training-jobs')).body.total;
    // The running borrower keeps reporting (a rank's checkpoint may land late): everything else is counted.
    const others = async () => ((await t.api.call('GET', '/v1/events?limit=1000')).body.items as any[]).filter((e) => e.jobId !== borrowerId).map((e) => e.seq);
    const eventsBefore = await others();
    const dry = await yard('submit', '--dry-run', specFile('owner', ownerJob()), '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ placed: false, project: 'owner', preempts: [{ jobId: borrowerId, kind: 'reclaim' }] });
    const more = inProject('borrower', shellJob('more', 'true', 1, { preemptible: true }));
    more.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    const waits = await yard('submit', '--dry-run', specFile('more', more));
    expect(waits.code, waits.stderr).toBe(0);
    expect(waits.stdout).toContain('Would not be placed now');
    expect(waits.stdout).toMatch(/because QUOTA: cpu needs 2, holds 4 of 2 guaranteed, cohort shared holds 4 of 4/);
    expect(waits.stdout).toMatch(/because CAPACITY/);
    // The estimate: when the borrower's expected end frees the cohort's quota and the nodes.
    const eta = Date.parse(/estimated start: (\S+)/.exec(waits.stdout)![1]);
    expect(eta).toBeGreaterThan(Date.now() + 3_500_000);
    expect(eta).toBeLessThan(Date.now() + 3_600_000);
    // Nothing was appended: no job, no event, the borrower untouched.
    expect((await t.api.call('GET', '/v1/training-jobs')).body.total).toBe(total);
    expect(await others()).toEqual(eventsBefore);
    expect((await t.api.call('GET', `/v1/training-jobs/${borrowerId}`)).body.state).toBe('running');

    // The owner's job arrives: same priority, within its guarantee — it reclaims.
    const ownerId = await submit(ownerJob());
    const requeued = await eventually(async () => {
      const j = (await t.api.call('GET', `/v1/training-jobs/${borrowerId}`)).body;
      return j.state === 'waiting' && j.requeue === 'preemption' ? j : undefined;
    }, 30_000);
    expect(requeued).toMatchObject({ preemptedBy: ownerId, attempt: 1 });
    const ev = await events(borrowerId);
    const preempted = ev.find((e) => e.type === 'JobPreempted');
    expect(preempted).toMatchObject({ data: { by: ownerId, reclaim: true, graceMs: GRACE_MS } });
    const exits = ev.filter((e) => e.type === 'TaskExited' && e.data.attempt === 1);
    expect(exits.map((e) => e.data.reason)).toEqual(['stopped', 'stopped']);
    // Stopped on the acknowledgement, long before the 60 s grace.
    for (const e of exits) expect(Date.parse(e.time) - Date.parse(preempted.time)).toBeLessThan(15_000);
    for (const task of ['worker-0', 'worker-1']) {
      const notice = (await logs(borrowerId, task)).find((l) => l.startsWith('notice: '));
      expect(JSON.parse(notice!.slice('notice: '.length))).toMatchObject({ preemptedBy: ownerId, graceSeconds: GRACE_MS / 1000 });
    }

    // The owner's job runs and completes; meanwhile the borrower waits, on quota among its causes.
    await t.api.waitFor(ownerId, 'running', 30_000);
    // Its cohort's quota is the owner's again: the borrower waits on quota (and on room).
    const waiting = await eventually(async () => {
      const j = (await t.api.call('GET', `/v1/training-jobs/${borrowerId}`)).body;
      return j.waitReason?.causes?.includes('QUOTA') ? j : undefined;
    }, 10_000);
    expect(waiting).toMatchObject({ state: 'waiting', waitReason: { code: 'QUOTA_EXCEEDED', causes: expect.arrayContaining(['QUOTA', 'CAPACITY']) } });
    await t.api.waitFor(ownerId, 'completed', 30_000);
    expect(await logs(ownerId, 'worker-0')).toContain('owner ran');
    expect(samples(await metrics(), 'trainyard_quota_reclaimed_total', { project: 'borrower', pool: 'default' })).toEqual([1]);

    // The borrower takes the idle quota again and resumes from its checkpoint; no retry used.
    const again = await t.api.waitFor(borrowerId, 'running', 30_000);
    expect(again.attempt).toBe(2);
    const resumed = await eventually(async () => (await logs(borrowerId, 'worker-0')).find((l) => l.startsWith('resumed from step')), 15_000);
    expect(Number(/step (\d+)/.exec(resumed!)![1])).toBeGreaterThan(0);
    const all = await events(borrowerId);
    expect(all.filter((e) => e.type === 'RecoveryDecided' || e.type === 'JobRestarted')).toEqual([]);
    expect(all.filter((e) => e.type === 'JobPreempted')).toHaveLength(1);
    await t.api.call('POST', `/v1/training-jobs/${borrowerId}/stop`);
    await t.api.waitFor(borrowerId, 'terminated', 30_000);
  }, 180_000);
});
