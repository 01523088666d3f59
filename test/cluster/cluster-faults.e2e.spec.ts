import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Streams } from '@trainyard/contracts';
import { MIN_REPLICATED_SERVER_VERSION, parseServerVersion, versionAtLeast } from '@trainyard/event-log';
import { namespacesUnavailable } from '@trainyard/testing/netns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually';
import { auditJobs, type Audit } from './cluster-audit';
import { AGENTS, NODE_LOST_AFTER_MS, startHostCluster, type HostCluster } from './host-cluster';
import { jobStates, submitJobs, TERMINAL, waitForJobs } from './job-load';

const why = namespacesUnavailable();
if (why) console.warn(`cluster faults: skipped, ${why}`);

/** Jobs in flight per scenario (the issue's hundred; every fifth has two instances). */
const JOBS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Each service's whole output in `$TMPDIR/trainyard-cluster-<host>.log`: it outlives the cluster's data dir. */
const keepOutputs = (services: [string, { output(): string }][]) => {
  for (const [h, p] of services) writeFileSync(join(tmpdir(), `trainyard-cluster-${h}.log`), p.output());
};

/**
 * Issue 12: the control plane spread over hosts (network namespaces), on a three-server NATS
 * cluster with the streams R3, through four faults with a hundred jobs in flight each. After every
 * fault: every job completed, the event stream whole and shown in full by the API, no task attempt
 * started twice, and the read models equal to a rebuild from the log.
 */
describe.skipIf(why !== undefined)('a real cluster - services on their own hosts over a clustered NATS ride out a lost server, leader, agent and database', () => {
  let c: HostCluster;

  beforeAll(async () => {
    c = await startHostCluster();
    const v = parseServerVersion(c.nc.info?.version ?? '');
    serverIsFixed = v !== undefined && versionAtLeast(v, parseServerVersion(MIN_REPLICATED_SERVER_VERSION)!);
  }, 180_000);

  afterAll(async () => {
    await c?.stop();
  }, 60_000);

  let began = 0;
  /** Whether the servers replicate safely (2.9.21 on); Debian's 2.9.10 does not. */
  let serverIsFixed = false;
  beforeEach(() => {
    began = Date.now();
  });

  const settle = async (name: string, ids: string[], audit: () => Promise<Audit>) => {
    // A job that never ends is a finding of the audit too: it runs either way, and says what it saw.
    const stuck: string[] = [];
    await waitForJobs(c.api, ids, TERMINAL, ids.length, 90_000).catch(async (err) => {
      const dead = [...c.services].filter(([, p]) => p.child.exitCode !== null || p.child.signalCode !== null);
      // Their whole output outlives the cluster's data dir, for reading after the run.
      keepOutputs(dead);
      if (dead.length) throw new Error(`${err.message}; exited: ${dead.map(([h, p]) => `${h} (${p.child.exitCode ?? p.child.signalCode}, output in ${join(tmpdir(), `trainyard-cluster-${h}.log`)})`).join(', ')}`);
      const states = await jobStates(c.api, ids);
      for (const id of ids.filter((x) => !TERMINAL.includes(states.get(x) ?? ''))) {
        const evs = (await c.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as { type: string; data: unknown; time: string }[];
        stuck.push(`job ${id} did not end (${err.message}):\n${evs.map((e) => `  ${e.time} ${e.type} ${JSON.stringify(e.data).slice(0, 160)}`).join('\n')}`);
      }
    });
    const done = Date.now();
    const a = await audit();
    console.log(`[cluster] ${name}: jobs completed ${a.jobsCompleted}/${ids.length}, events checked ${a.eventsChecked}, tasks started twice ${a.startedTwice}, lost updates ${a.lostUpdates} (all ended after ${((done - began) / 1000).toFixed(1)} s, audit ${((Date.now() - done) / 1000).toFixed(1)} s)`);
    // Below 2.9.21 the server itself may store a commit decided on stale state (nats-server#4320, seen
    // here: a two-instance job whose second TaskExited was decided before the first was visible, so no
    // JobSucceeded). What such a commit explains — its job's own history and end — is reported, not
    // failed; everything else must hold, and from 2.9.21 on there must be no lost update at all.
    const explained = (p: string) => !serverIsFixed && [...a.lostUpdateJobs].some((id) => p.startsWith(`job ${id}`));
    if (process.env.TY_CLUSTER_KEEP_LOGS === '1' || [...stuck, ...a.problems].some((p) => !explained(p))) {
      // What every service said, for finding the cause after the run (the cluster's data dir goes).
      keepOutputs([...c.services]);
      console.warn(`[cluster] ${name}: every service's output is in ${join(tmpdir(), 'trainyard-cluster-<host>.log')}`);
      // And the whole history of each job a problem names, with who committed what.
      const named = new Set([...stuck, ...a.problems].filter((p) => !explained(p)).flatMap((p) => /^job ([^\s:]+)/.exec(p)?.[1] ?? []));
      for (const id of named) {
        const evs = ((await c.api.call('GET', `/v1/training-jobs/${id}/events`)).body?.items ?? []) as { type: string; data: unknown; time: string; seq?: number; actor?: string }[];
        console.warn(`[cluster] ${name}: job ${id}:\n${evs.map((e) => `  ${e.time} #${e.seq ?? '?'} ${e.actor ?? ''} ${e.type} ${JSON.stringify(e.data).slice(0, 200)}`).join('\n')}`);
      }
    }
    for (const p of [...stuck, ...a.problems].filter(explained)) console.warn(`[cluster] ${name}: nats-server ${c.nc.info?.version} (nats-server#4320): ${p.split('\n')[0]}`);
    expect([...stuck, ...a.problems].filter((p) => !explained(p))).toEqual([]);
    if (serverIsFixed) expect(a.lostUpdates).toBe(0);
    const stuckByServer = serverIsFixed ? [] : ids.filter((id) => a.lostUpdateJobs.has(id) && stuck.some((p) => p.startsWith(`job ${id} `)));
    expect(a.jobsCompleted).toBe(ids.length - stuckByServer.length);
    expect(a.startedTwice).toBe(0);
    return a;
  };

  /** Until every replica of both streams is current again (a restarted server has caught up). */
  const replicasCurrent = async () => {
    const jsm = await jetstreamManager(c.nc);
    await eventually(async () => {
      for (const s of [Streams.events, Streams.logs]) {
        const info = await jsm.streams.info(s).catch(() => undefined);
        const r = info?.cluster?.replicas ?? [];
        if (!info?.cluster?.leader || r.length !== 2 || r.some((x) => !x.current || x.offline)) return undefined;
      }
      return true;
    }, 30_000);
  };

  it('runs each service on a host of its own, the streams on three replicas', async () => {
    const jsm = await jetstreamManager(c.nc);
    for (const s of [Streams.events, Streams.logs]) expect((await jsm.streams.info(s)).config.num_replicas).toBe(3);
    // The stores the services make for themselves too: the schedulers' and fault managers' leases, the
    // flavor catalogue (made on its first read). A lease on one server would be lost with it.
    expect((await c.api.call('GET', '/v1/flavors')).status).toBe(200);
    for (const s of ['KV_TY_LEADER', 'KV_TY_FLAVORS']) expect((await jsm.streams.info(s)).config.num_replicas, s).toBe(3);
    const addresses = c.net.hosts.map((h) => h.address);
    expect(new Set(addresses).size).toBe(13);
    expect(await c.schedulerLeader()).toBe('scheduler-1');
    for (const [host, p] of c.services) expect(c.net.host(host).pids()).toContain(p.child.pid);
  });

  it('(a) the event stream\'s leader server is SIGKILLed and restarted later: nothing lost', async () => {
    const load = await submitJobs(c.api, 'nats-kill', JOBS, { sleepS: 6, twoNodeEvery: 5 });
    await waitForJobs(c.api, load.ids, ['running'], 1, 30_000);
    const jsm = await jetstreamManager(c.nc);
    const leader = (await jsm.streams.info(Streams.events)).cluster!.leader!;
    await c.nats.server(leader).kill('SIGKILL');
    // The stream elects another leader among the two left and goes on.
    const next = await eventually(async () => (await jsm.streams.info(Streams.events).catch(() => undefined))?.cluster?.leader, 30_000);
    expect(next).not.toBe(leader);
    await sleep(4_000);
    await c.nats.server(leader).start();
    await settle('(a) NATS server SIGKILLed', load.ids, () => auditJobs(c.nc, c.api, c.apiUrl, load));
    await replicasCurrent();
  }, 180_000);

  it('(b) the scheduler leader\'s host is cut off: the standby leads, the queue is kept, nothing placed twice', async () => {
    const before = await c.schedulerLeader();
    const first = await submitJobs(c.api, 'leader-cut-a', JOBS / 2, { sleepS: 6, twoNodeEvery: 5 });
    await c.net.host(before).cut();
    // Submitted while the leader is unreachable: the API answers 503 until the standby leads.
    const cutAt = Date.now();
    const second = await submitJobs(c.api, 'leader-cut-b', JOBS / 2, { sleepS: 4, twoNodeEvery: 5 });
    console.log(`[cluster] (b) ${JOBS / 2} jobs submitted in ${((Date.now() - cutAt) / 1000).toFixed(1)} s while ${before} was cut off`);
    const after = await eventually(async () => {
      const h = await c.schedulerLeader().catch(() => undefined);
      return h && h !== before ? h : undefined;
    }, 30_000);
    expect(after).not.toBe(before);
    await c.net.host(before).restore();
    const ids = [...first.ids, ...second.ids];
    await settle('(b) scheduler leader cut off', ids, () =>
      auditJobs(c.nc, c.api, c.apiUrl, { ids, starts: () => [...first.starts(), ...second.starts()], ends: () => [...first.ends(), ...second.ends()], release: () => undefined }),
    );
    // The old leader came back as a standby: one leader.
    expect(await c.schedulerLeader()).toBe(after);
    expect(c.services.get(before)!.output()).toMatch(/standby|lost the lease|lease lost/i);
  }, 180_000);

  it('(c) an agent\'s host is cut off longer than its lease: its tasks run again elsewhere, and when it is back they are fenced', async () => {
    // Long tasks: the ones on the cut host must still be running when it comes back.
    // Tasks that run until the test releases them: the cut host's must still run when it is back.
    const load = await submitJobs(c.api, 'agent-cut', JOBS, { sleepS: 150, twoNodeEvery: 5, untilReleased: true });
    // Half of them running is enough to pick a victim: the sooner the cut, the longer its tasks still run.
    await waitForJobs(c.api, load.ids, ['running'], JOBS / 2, 60_000);
    // The agent with the most tasks.
    const jobs = await Promise.all(load.ids.map(async (id) => (await c.api.call('GET', `/v1/training-jobs/${id}`)).body));
    const perNode = new Map<string, number>();
    for (const j of jobs) for (const t of j.tasks) if (t.state === 'running') perNode.set(t.nodeId, (perNode.get(t.nodeId) ?? 0) + 1);
    const victim = [...AGENTS].sort((x, y) => (perNode.get(y) ?? 0) - (perNode.get(x) ?? 0))[0]!;
    // `<vj> <index> <schedule count>` of each task attempt there, as the tasks write them.
    const there = jobs.flatMap((j) => j.tasks.filter((t: { nodeId: string; state: string }) => t.nodeId === victim && t.state === 'running').map((t: { index: number }) => ({ id: j.id as string, index: t.index })));
    const moved = [...new Set(there.map((t) => t.id))];
    expect(moved.length).toBeGreaterThan(0);
    const agentPid = c.services.get(victim)!.child.pid;
    const taskPids = () => c.net.host(victim).pids().filter((p) => p !== agentPid);
    expect(taskPids().length).toBeGreaterThan(0);

    await c.net.host(victim).cut();
    await sleep(NODE_LOST_AFTER_MS + 3_000);
    // Cut off, the tasks still run there (a partition, not a crash).
    expect(taskPids().length).toBeGreaterThan(0);
    await c.net.host(victim).restore();
    const restored = Date.now();
    // Back, the agent learns that its tasks went elsewhere and stops them.
    // (One stop at a time: tens of tasks took 10–40 s on a loaded 2-core machine.)
    await eventually(async () => (taskPids().length === 0 ? true : undefined), 90_000).catch((err: Error) => {
      const cmd = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 200);
      throw new Error(`${err.message}: ${taskPids().length} processes left on ${victim} ${((Date.now() - restored) / 1000).toFixed(1)} s after it was back, e.g. ${taskPids().slice(0, 3).map(cmd).join(' | ')}`);
    });
    load.release();
    console.log(`[cluster] (c) ${there.length} tasks on ${victim} cut off ${((restored - began) / 1000).toFixed(1)} s in, fenced ${((Date.now() - restored) / 1000).toFixed(1)} s after it was back`);

    await settle('(c) agent cut off past its lease', load.ids, () => auditJobs(c.nc, c.api, c.apiUrl, load));
    // Fenced, not finished: no task attempt of the cut host slept to its end; each ran again elsewhere and did.
    const ends = load.ends();
    const starts = load.starts();
    for (const t of there) {
      const vj = `modelarts-job-${t.id}`;
      const attempts = starts.filter((l) => l.startsWith(`${vj} ${t.index} `));
      expect(attempts.length, `${vj} ${t.index}: ${attempts.join(', ')}`).toBe(2);
      expect(ends).not.toContain(attempts[0]);
      expect(ends).toContain(attempts[1]);
    }
    for (const id of moved) {
      const evs = (await c.api.call('GET', `/v1/training-jobs/${id}/events`)).body.items as { type: string; data: any }[];
      expect(evs.some((e) => e.type === 'TaskExited' && e.data.nodeId === victim && e.data.reason === 'lost')).toBe(true);
      const job = (await c.api.call('GET', `/v1/training-jobs/${id}`)).body;
      for (const t of job.tasks) expect(t.nodeId).not.toBe(victim);
    }
  }, 240_000);

  it('(d) PostgreSQL is restarted: the projections catch up and equal a rebuild', async () => {
    const load = await submitJobs(c.api, 'pg-restart', JOBS, { sleepS: 6, twoNodeEvery: 5 });
    await waitForJobs(c.api, load.ids, ['running'], 1, 30_000);
    await c.pg.kill('SIGQUIT');
    await sleep(3_000);
    await c.pg.start();
    await settle('(d) PostgreSQL restarted', load.ids, () => auditJobs(c.nc, c.api, c.apiUrl, load));
    for (const [host, p] of c.services) expect(p.child.exitCode, `${host} exited:\n${p.output().slice(-2000)}`).toBeNull();
  }, 180_000);
});
