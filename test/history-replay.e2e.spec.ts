import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, migrate, Projector, readCheckpoint } from '@trainyard/db';
import { connectNats, JetStreamEventLog, openStreams } from '@trainyard/event-log';
import { freshSchema, startNatsServer, TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbReadModel, DEFAULT_API_OPTIONS, dbApiMetrics, dbLogReads, startApiServer } from '../apps/api/src/index';
import { eventually } from './support/eventually';
import { FAST_FAULTS, withFaultTolerance } from './support/fault-injection';
import { buildOnce, yard } from './support/processes';
import { shellJob } from './support/specs';
import { ApiClient, startTestCluster, type TestCluster } from './support/test-cluster';

/**
 * Replaying history end to end (issue 17), on a history this test records: 200 small jobs of three
 * priorities on two 2-cpu nodes, one preemption (a preemptible whole-cluster job stopped for a
 * priority-3 one) and one recovery (a worker that SIGKILLs itself once, restarted in place). Then:
 * any past moment, explain, goodput, export → import into an empty cluster, and `yard sim`.
 */
describe('history - any past moment, explain, goodput, export and import, counterfactual replay', () => {
  let t: TestCluster;
  let dir: string;
  const ids = { victim: '', boss: '', healed: '', small: [] as string[] };
  let exportFile = '';
  let recordedEnd = 0;
  const SCHEDULER = { heartbeatTimeoutMs: 3_000, stopGraceMs: 1_000, tickMs: 100, minRunMs: 1_000, preemptGraceMs: 1_000, requeueTimeoutMs: 600_000 };

  const submit = async (spec: unknown) => {
    const r = await t.api.call('POST', '/v1/training-jobs', spec);
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.id as string;
  };
  const whole = (name: string, command: string, extra: Record<string, unknown> = {}) => {
    const s = shellJob(name, command, 2, extra);
    s.spec.resource.flavor = { cpu: 2, memoryMiB: 256 };
    return s;
  };

  beforeAll(async () => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'trainyard-history-'));
    t = await startTestCluster({ scheduler: SCHEDULER, faultManager: FAST_FAULTS });
    // A preemptible job on the whole cluster, then a priority-3 one that needs it: a preemption.
    ids.victim = await submit(whole('victim', 'sleep 3', { preemptible: true }));
    await t.api.waitFor(ids.victim, 'running');
    await new Promise((r) => setTimeout(r, 1_300));
    ids.boss = await submit(whole('boss', 'sleep 1', { priority: 3 }));
    // While the boss holds the cluster, the queue fills: 200 jobs of three priorities, one of them
    // killing itself on its first start (restarted in place by the fault manager).
    ids.healed = await submit(withFaultTolerance(shellJob('healed', 'if [ "$MA_PROC_START_CNT" = "1" ]; then kill -9 $$; fi; sleep 0.3', 1), { 'fault-tolerance/job-retry-num': '3' }));
    for (let i = 0; i < 199; i++) ids.small.push(await submit(shellJob(`small-${i}`, 'sleep 0.3', 1, { priority: 1 + (i % 3) })));
    for (const id of [ids.victim, ids.boss, ids.healed, ...ids.small]) await t.api.waitFor(id, 'completed', 180_000);
    recordedEnd = t.cluster.projector.position();
    const out = await yard(['admin', 'export'], t.api.url);
    expect(out.code).toBe(0);
    exportFile = join(dir, 'history.ndjson');
    writeFileSync(exportFile, out.stdout);
    if (process.env.TY_KEEP_HISTORY) writeFileSync(process.env.TY_KEEP_HISTORY, out.stdout);
  }, 300_000);
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => (await t.api.call('GET', path)).body;

  it('the recording - ≥ 200 jobs, three priorities, a preemption and a recovery', async () => {
    const events = (await get('/v1/events?type=JobCreated,JobPreempted,RecoveryDecided&limit=1000')).items as any[];
    expect(events.filter((e) => e.type === 'JobCreated').length).toBeGreaterThanOrEqual(200);
    expect(new Set(ids.small.map((_, i) => 1 + (i % 3)))).toEqual(new Set([1, 2, 3]));
    // The boss preempts the victim; later a priority-3 or 2 job may preempt it again (it runs 3 s, past the minimum).
    const preempted = events.filter((e) => e.type === 'JobPreempted');
    expect(preempted[0]).toMatchObject({ jobId: ids.victim, data: { by: ids.boss } });
    expect(preempted.every((e) => e.jobId === ids.victim)).toBe(true);
    expect(events.filter((e) => e.type === 'RecoveryDecided').map((e) => [e.jobId, e.data.action])).toEqual([[ids.healed, 'restart-in-place']]);
  });

  it('any past moment - the job, the job list and the nodes as the log says they were, by time or by sequence', async () => {
    const victimEvents = (await get(`/v1/training-jobs/${ids.victim}/events`)).items as any[];
    const preempted = victimEvents.find((e) => e.type === 'JobPreempted');
    // Just before the preemption the victim ran on both nodes; just after it was terminating.
    const before = await get(`/v1/training-jobs/${ids.victim}?at=${preempted.seq - 1}`);
    expect(before).toMatchObject({ id: ids.victim, state: 'running', attempt: 1, at: { seq: preempted.seq - 1 } });
    expect(before.tasks.map((x: any) => x.nodeId).sort()).toEqual(['node-1', 'node-2']);
    expect(await get(`/v1/training-jobs/${ids.victim}?at=${preempted.seq}`)).toMatchObject({ state: 'terminating', preemptedBy: ids.boss, reason: 'preempted' });
    // By time: the moment the boss was placed, every node was held.
    const bossPlaced = ((await get(`/v1/training-jobs/${ids.boss}/events`)).items as any[]).find((e) => e.type === 'JobScheduled');
    const nodes = await get(`/v1/nodes?at=${encodeURIComponent(bossPlaced.time)}`);
    expect(nodes.items.map((n: any) => [n.id, n.used.cpu])).toEqual([['node-1', 2], ['node-2', 2]]);
    const jobs = await get(`/v1/training-jobs?at=${encodeURIComponent(bossPlaced.time)}`);
    expect(jobs.items.find((j: any) => j.id === ids.boss)).toMatchObject({ state: 'waiting', dispatched: true });
    // At the end of the recording the fold says what the projection says, job by job.
    const live = await get(`/v1/training-jobs/${ids.healed}`);
    const atEnd = await get(`/v1/training-jobs/${ids.healed}?at=${recordedEnd}`);
    for (const k of ['state', 'priority', 'attempt', 'dispatched', 'createdAt', 'startedAt', 'endedAt', 'createdBy']) expect(atEnd[k], k).toEqual(live[k]);
    expect(atEnd.tasks.map((x: any) => [x.name, x.state, x.nodeId, x.procStartCount])).toEqual(live.tasks.map((x: any) => [x.name, x.state, x.nodeId, x.procStartCount]));
    expect((await t.api.call('GET', `/v1/training-jobs/${ids.healed}?at=${encodeURIComponent('2020-01-01T00:00:00Z')}`)).status).toBe(404);
    expect((await t.api.call('GET', '/v1/nodes?at=soon')).body.error.details[0]).toMatchObject({ path: 'at', code: 'INVALID_FORMAT' });

    const described = await yard(['describe', ids.victim, '--at', `seq:${preempted.seq - 1}`], t.api.url);
    expect(described.stdout).toMatch(/^As of .* \(seq \d+\)\nID:\s+\S+\nName:\s+victim\nState:\s+running/);
    const listed = await yard(['jobs', '--at', bossPlaced.time], t.api.url);
    expect(listed.stdout).toContain(ids.boss);
    const nodesOut = await yard(['nodes', '--at', bossPlaced.time], t.api.url);
    expect(nodesOut.stdout).toMatch(/node-1\s+default\s+in service\s+2\/2/);
  });

  it('explain - admission, waits, each placement with how the other nodes fared, the preemption and its victim set, the recovery', async () => {
    const victim = await get(`/v1/training-jobs/${ids.victim}/explain`);
    const kinds = victim.decisions.map((d: any) => d.kind);
    expect(kinds.slice(0, 3)).toEqual(['admission', 'queued', 'placement']);
    expect(kinds).toContain('preemption');
    const pre = victim.decisions.find((d: any) => d.kind === 'preemption');
    expect(pre.text).toContain(`preempted by ${ids.boss} (priority 3`);
    expect(pre.data.victims).toEqual([ids.victim]);
    expect(victim.decisions.filter((d: any) => d.kind === 'placement')).toHaveLength(victim.decisions.filter((d: any) => d.kind === 'preemption').length + 1);
    expect(kinds.at(-1)).toBe('end');

    const healed = await get(`/v1/training-jobs/${ids.healed}/explain`);
    const rec = healed.decisions.find((d: any) => d.kind === 'recovery');
    expect(rec.text).toMatch(/^recovery: rule in-place-restart on process-killed SIGKILL of worker-0 on node-\d → restart-in-place \(restarts 0\/3/);
    expect(healed.decisions.find((d: any) => d.kind === 'fault').text).toMatch(/worker-0 of attempt 1 on node-\d killed by SIGKILL/);
    // A small job placed while the other node was full: the checker that refused it is named.
    const placements = (await Promise.all(ids.small.slice(0, 40).map((id) => get(`/v1/training-jobs/${id}/explain`)))).flatMap((e) => e.decisions.filter((d: any) => d.kind === 'placement'));
    expect(placements.every((p: any) => p.data.others.others === 1)).toBe(true);
    expect(placements.some((p: any) => p.data.others.rejected.INSUFFICIENT_CPU === 1)).toBe(true);
    expect(placements.some((p: any) => /of the 1 other node\(s\) of pool default: (1 INSUFFICIENT_CPU|1 would have fitted)/.test(p.text))).toBe(true);

    const out = await yard(['explain', ids.victim], t.api.url);
    expect(out.stdout).toMatch(/\[preemption\] preempted by/);
    expect(JSON.parse((await yard(['explain', ids.victim, '--json'], t.api.url)).stdout).decisions).toEqual(victim.decisions);
  });

  it('goodput - per job and for the cluster; the recovery split into detect, decide, stop, place and start', async () => {
    const healed = await get(`/v1/training-jobs/${ids.healed}/goodput`);
    expect(healed.recoveries).toHaveLength(1);
    const r = healed.recoveries[0];
    expect(r).toMatchObject({ rule: 'in-place-restart', action: 'restart-in-place', placeMs: 0 });
    for (const k of ['detectMs', 'decideMs', 'stopMs', 'startMs', 'totalMs']) expect(r[k], k).toBeGreaterThanOrEqual(0);
    expect(r.totalMs).toBe(r.detectMs + r.decideMs + r.stopMs + r.placeMs + r.startMs);
    expect(healed.recoveryMs).toBeGreaterThan(0);
    const victim = await get(`/v1/training-jobs/${ids.victim}/goodput`);
    expect(victim.rerunsMs).toBeGreaterThan(0);
    expect(victim.startupMs + victim.usefulMs + victim.recoveryMs + victim.rerunsMs + victim.failedMs).toBe(victim.allocatedMs);
    const cluster = await get('/v1/dashboard/goodput');
    expect(cluster.jobs).toBeGreaterThanOrEqual(201);
    expect(cluster.goodput).toBeGreaterThan(0);
    expect(cluster.goodput).toBeLessThan(1);
    const described = await yard(['describe', ids.healed], t.api.url);
    expect(described.stdout).toMatch(/Goodput:\s+\d+% of allocated time was useful/);
    expect(described.stdout).toMatch(/Recovery:.*process-killed SIGKILL → restart-in-place \(in-place-restart\): detect .* → decide .* → stop .* → place 0\.0s → start/);
  });

  it('export and import - each commit with its checksum; into an empty cluster the projections rebuild equal and match the source', async () => {
    const lines = readFileSync(exportFile, 'utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'trainyard-history', version: 1 });
    // Job and node commits only (identities stay with their cluster), in order, each with its checksum.
    const seqs = lines.slice(1).map((l) => JSON.parse(l).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs.at(-1)).toBe(JSON.parse(lines[0]).last);
    expect(lines.slice(1).every((l) => /"subject":"ty\.ev\.(job|node)\./.test(l))).toBe(true);
    expect(JSON.parse(lines[1])).toEqual({ seq: expect.any(Number), subject: expect.stringMatching(/^ty\.ev\./), time: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), commit: expect.any(Object) });
    const part = await yard(['admin', 'export', '--since', `seq:10`, '--until', 'seq:20'], t.api.url);
    const partSeqs = part.stdout.trimEnd().split('\n').slice(1).map((l) => JSON.parse(l).seq);
    expect(partSeqs).toEqual(seqs.filter((x) => x >= 10 && x <= 20));

    await using empty = await startEmptyCluster();
    // A tampered line is refused by number, and nothing is written.
    const tampered = join(dir, 'tampered.ndjson');
    writeFileSync(tampered, [...lines.slice(0, 5), lines[5].replace('"seq":5', '"seq":5 ').replace(/"actor":"[^"]*"/, '"actor":"mallory"'), ...lines.slice(6)].join('\n'));
    const refused = await yard(['admin', 'import', tampered], empty.api.url);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/line 6/);
    expect((await empty.api.call('GET', '/v1/events?limit=1')).body.items).toEqual([]);
    expect(JSON.parse(lines[0])).toMatchObject({ first: seqs[0] });

    const imported = await yard(['admin', 'import', exportFile, '--json'], empty.api.url);
    expect(imported.code, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout);
    expect(result).toMatchObject({ imported: lines.length - 1, recorded: { first: seqs[0], last: seqs.at(-1) } });
    const verify = await yard(['admin', 'rebuild', '--verify'], empty.api.url);
    expect(verify.code, verify.stdout).toBe(0);
    // The imported cluster's read models say what the source's said at the end of the recording.
    for (const id of [ids.victim, ids.boss, ids.healed, ...ids.small.slice(0, 20)]) {
      const strip = ({ updatedAt: _u, ...j }: any) => j;
      expect(strip((await empty.api.call('GET', `/v1/training-jobs/${id}`)).body)).toEqual(strip(await get(`/v1/training-jobs/${id}`)));
    }
    // The same events in the same order; only the sequences are the new cluster's.
    const all = async (api: ApiClient) => {
      const out: any[] = [];
      for (let after = ''; ; ) {
        const page = (await api.call('GET', `/v1/events?limit=1000${after ? `&after=${after}` : ''}`)).body;
        out.push(...page.items.map(({ id: _i, seq: _s, ...e }: any) => e));
        if (!page.next) return out;
        after = page.next;
      }
    };
    expect(await all(empty.api)).toEqual(await all(t.api));
    // A second import finds the cluster no longer empty.
    const again = await empty.api.call('POST', '/v1/admin/import');
    expect(again.status).toBe(400);
    const r = await fetch(`${empty.api.url}/v1/admin/import`, { method: 'POST', headers: { ...empty.api.auth, 'content-type': 'application/x-ndjson' }, body: readFileSync(exportFile, 'utf8') });
    expect(r.status).toBe(409);
  });

  it('yard sim - the recorded cluster and configuration reproduce every recorded placement; two more nodes shorten the waits', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ minRunTimeMs: SCHEDULER.minRunMs }));
    const out = await yard(['sim', '--history', exportFile, '--config', config, '--json'], t.api.url);
    expect(out.code, out.stderr).toBe(0);
    const { baseline } = JSON.parse(out.stdout);
    expect(baseline.differences).toEqual([]);
    expect(baseline.identical).toBe(true);
    expect(baseline.matched).toBeGreaterThanOrEqual(202);
    expect(baseline.preemptions).toBe(((await get('/v1/events?type=JobPreempted')).items as any[]).length);
    expect(baseline.recoveries).toBe(1);
    expect(Object.keys(baseline.waits).sort()).toEqual(['all', 'priority-1', 'priority-2', 'priority-3']);

    const more = await yard(['sim', '--history', exportFile, '--config', config, '--nodes', '+2', '--json'], t.api.url);
    const what = JSON.parse(more.stdout);
    expect(what.whatIf.waits.all.p95Ms).toBeLessThan(what.baseline.waits.all.p95Ms);
    expect(what.whatIf.waits.all.p50Ms).toBeLessThanOrEqual(what.baseline.waits.all.p50Ms);
    expect(what.whatIf.differences.length).toBeGreaterThan(0);
    const human = await yard(['sim', '--history', exportFile, '--config', config, '--nodes', '+2'], t.api.url);
    expect(human.stdout).toMatch(/wait p95 priority-3/);
    expect(human.stdout).toContain('The replay on the recorded cluster reproduces every recorded placement.');
    expect(human.stdout).toMatch(/First decisions that differ in the what-if:\n {2}\S+ attempt \d+: recorded worker-0→node-\d\S*, simulated worker-0→\S+/);
    console.log(`history e2e: ${baseline.jobs} jobs, ${baseline.matched}/${baseline.recorded} placements as recorded (${baseline.inferredCuts} of ${baseline.passes} passes on an inferred cut); wait p95 ${baseline.waits.all.p95Ms} ms → ${what.whatIf.waits.all.p95Ms} ms with 2 more nodes`);
  });
});

/**
 * An empty cluster: a fresh NATS and schema with only the API and its projector (nothing acts on what
 * is imported); its log starts with its own identity (the default project, the fixture admin's token).
 */
async function startEmptyCluster() {
  const nats = await startNatsServer();
  const schema = await freshSchema();
  const nc = await connectNats(nats.url, 'history-import');
  const database = createDatabase({ url: schema.url, schema: schema.schema });
  await migrate(database.db, database.schema);
  await openStreams(nc, { events: await readCheckpoint(database.db) });
  const eventLog = new JetStreamEventLog(nc);
  const projector = new Projector({ db: database.db, eventLog });
  await projector.start();
  const api = await startApiServer(
    { nc, reads: new DbReadModel(database, projector, eventLog), logs: dbLogReads(database), metrics: dbApiMetrics(database, nc), options: { ...DEFAULT_API_OPTIONS, bootstrapAdmin: { token: TEST_ADMIN_TOKEN } } },
    { host: '127.0.0.1', port: 0 },
  );
  return {
    api: new ApiClient(api.url),
    async [Symbol.asyncDispose]() {
      await api.close();
      await projector.stop();
      await database.close();
      await nc.drain();
      await nats.stop();
      await schema.drop();
    },
  };
}

void eventually;
