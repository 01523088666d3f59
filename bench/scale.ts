import { Subjects } from '@trainyard/contracts';
import { connectNats, decodeCommit } from '@trainyard/event-log';
import { freshSchema, startNatsServer, TEST_ADMIN_AUTH, TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../apps/all-in-one/src/local-cluster';
import type { FaultManagerOptions } from '../apps/fault-manager/src/fault-manager-options';

/**
 * `npm run bench:scale` (issue 19): the real control plane (scheduler, fault manager, API, projector,
 * log router, notifier, tuner — the all-in-one services in this process) against a simulated fleet
 * (bench/scale-fleet.ts: real node agents with a fake task runtime, in a child process of their own).
 *
 * - heartbeat_cpu_pct: this process's CPU time (the whole control plane) over a window in which only
 *   the fleet's heartbeats arrive, in % of one core;
 * - jobs_per_s: one-task jobs (`fake run=0`) submitted by 20 concurrent clients → every JobSucceeded;
 * - gang_start_s: one job of BENCH_SCALE_GANG instances → every TaskStarted committed;
 * - lost_after_lease_s: an extra agent (own process) SIGKILLed → its NodeSuspect, minus the lease;
 * - rss_mib: this process's RSS at the end (all services share it; not per service).
 * Times come from the events seen live on the bus. Conditions to stderr; last stdout line is JSON.
 */
const AGENTS = Number(process.env.BENCH_SCALE_AGENTS ?? 1_024);
const JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 2_000);
const GANG = Math.min(Number(process.env.BENCH_SCALE_GANG ?? 1_024), AGENTS);
const HEARTBEAT_MS = Number(process.env.BENCH_SCALE_HEARTBEAT_MS ?? 5_000);
const CPU_WINDOW_MS = Number(process.env.BENCH_SCALE_CPU_WINDOW_MS ?? 20_000);
const CLIENTS = 20;
const FAULTS: Partial<FaultManagerOptions> = { leaseMs: 10_000, lostGraceMs: 20_000, log: () => undefined, crossJob: { windowMs: 60_000, distinctJobs: 1_000_000 } };

async function main(): Promise<void> {
  const say = (m: string) => console.error(m);
  const version = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')).version;
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, trainyard ${version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`fleet: ${AGENTS} simulated agents (one process, real agent code, fake runtime), heartbeat ${HEARTBEAT_MS} ms; ${JOBS} one-task jobs (issue: 10,000); gang of ${GANG} (issue: 1,024); lease ${FAULTS.leaseMs} ms`);
  const nats = await startNatsServer();
  const schema = await freshSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'trainyard-bench-scale-'));
  const children: ChildProcess[] = [];
  let cluster: LocalCluster | undefined;
  const figures: Record<string, number> = {};
  const watch = await connectNats(nats.url, 'bench-scale-watch');
  try {
    cluster = await startLocalCluster({
      natsUrl: nats.url, databaseUrl: schema.url, schema: schema.schema, dataDir,
      api: { host: '127.0.0.1', port: 0 },
      agents: [],
      scheduler: { log: () => undefined },
      faultManager: FAULTS,
      apiOptions: { bootstrapAdmin: { token: TEST_ADMIN_TOKEN } },
    });
    const c = cluster;
    const seen = busWatch(watch);

    // ---------------------------------------------------------------- the fleet joins
    const fleetAt = Date.now();
    children.push(await startFleetProcess(nats.url, join(dataDir, 'fleet'), AGENTS, HEARTBEAT_MS, 'sim-'));
    await until(() => seen.registered.size >= AGENTS, 600_000, () => `${seen.registered.size}/${AGENTS} nodes registered`);
    say(`fleet: ${AGENTS} agents registered in ${((Date.now() - fleetAt) / 1000).toFixed(1)} s`);
    await sleep(HEARTBEAT_MS * 2);

    // ---------------------------------------------------------------- heartbeats alone
    const cpu0 = process.cpuUsage();
    const wall0 = process.hrtime.bigint();
    await sleep(CPU_WINDOW_MS);
    const cpu = process.cpuUsage(cpu0);
    const wallUs = Number(process.hrtime.bigint() - wall0) / 1000;
    figures.heartbeat_cpu_pct = round(((cpu.user + cpu.system) / wallUs) * 100, 1);
    say(`heartbeats: control plane ${figures.heartbeat_cpu_pct}% of one core over ${CPU_WINDOW_MS} ms with ${AGENTS} agents every ${HEARTBEAT_MS} ms`);

    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(c.apiUrl + path, { method, headers: { ...TEST_ADMIN_AUTH, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      const json = (await res.json()) as any;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const submit = async (name: string, command: string, nodeCount = 1) =>
      (await api('POST', '/v1/training-jobs', { kind: 'job', metadata: { name }, algorithm: { command }, spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 }, nodeCount } } })).id as string;

    // ---------------------------------------------------------------- one-task jobs
    const jobsAt = Date.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (next < JOBS) ids.push(await submit(`scale-${next++}`, 'fake run=0'));
    }));
    const submittedS = (Date.now() - jobsAt) / 1000;
    await until(() => ids.every((id) => seen.succeeded.has(id)), 600_000, () => `${ids.filter((id) => seen.succeeded.has(id)).length}/${JOBS} jobs succeeded`);
    const jobsS = (Math.max(...ids.map((id) => seen.succeeded.get(id)!)) - jobsAt) / 1000;
    figures.jobs_per_s = round(JOBS / jobsS, 1);
    say(`jobs: ${JOBS} submitted in ${submittedS.toFixed(1)} s, all succeeded after ${jobsS.toFixed(1)} s → ${figures.jobs_per_s} jobs/s`);

    // The burst leaves the projector behind; a submit waits for its read model (read-your-writes),
    // so the gang's submit waits until the last one-task job reads as completed.
    for (let t = 0; (await api('GET', `/v1/training-jobs/${ids.at(-1)}`)).state !== 'completed'; t++) {
      if (t > 1200) throw new Error('read models never caught up with the one-task jobs');
      await sleep(100);
    }

    // ---------------------------------------------------------------- a gang
    const gangAt = Date.now();
    const gang = await submit('scale-gang', 'fake run=hold', GANG);
    await until(() => (seen.started.get(gang)?.size ?? 0) >= GANG, 300_000, () => `${seen.started.get(gang)?.size ?? 0}/${GANG} ranks started`);
    figures.gang_start_s = round((Date.now() - gangAt) / 1000, 2);
    figures.gang_size = GANG;
    say(`gang: ${GANG} instances, submit → all TaskStarted committed in ${figures.gang_start_s} s`);
    await api('POST', `/v1/training-jobs/${gang}/stop`).catch((err) => say(`gang stop: ${err}`));

    // ---------------------------------------------------------------- a silent agent
    const silent = await startFleetProcess(nats.url, join(dataDir, 'silent'), 1, HEARTBEAT_MS, 'silent-');
    children.push(silent);
    await until(() => seen.registered.has('silent-0'), 60_000, () => 'silent-0 not registered');
    await sleep(HEARTBEAT_MS * 2);
    const killedAt = Date.now();
    silent.kill('SIGKILL');
    seen.suspect.delete('silent-0');
    await until(() => seen.suspect.has('silent-0'), FAULTS.leaseMs! + 60_000, () => 'silent-0 never suspected');
    // Its last beat came up to one interval before the kill; the lease counts from that beat.
    figures.lost_after_lease_s = round((seen.suspect.get('silent-0')! - killedAt - FAULTS.leaseMs!) / 1000, 2);
    say(`silent agent: NodeSuspect ${figures.lost_after_lease_s} s after the ${FAULTS.leaseMs} ms lease (from the kill)`);

    figures.rss_mib = Math.round(process.memoryUsage().rss / 2 ** 20);
    figures.agents = AGENTS;
    figures.jobs = JOBS;
    figures.load_average_1m = round(loadavg()[0], 2);
    say(`control plane rss ${figures.rss_mib} MiB (all services in one process); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    // The simulated fleet holds nothing worth a graceful stop; 1,024 graceful agent stops outlast a bench.
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(children.map((ch) => (ch.exitCode !== null || ch.signalCode ? undefined : new Promise((r) => ch.once('exit', r)))));
    await watch.close();
    await cluster?.stop();
    await nats.stop();
    await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures));
}

/** What the bench needs from the bus, as plain subscribers see each commit land. */
function busWatch(nc: Awaited<ReturnType<typeof connectNats>>) {
  const registered = new Set<string>();
  const suspect = new Map<string, number>();
  const succeeded = new Map<string, number>();
  const started = new Map<string, Set<string>>();
  nc.subscribe(Subjects.node('*'), {
    callback: (_err, msg) => {
      const nodeId = msg.subject.split('.').at(-1)!;
      for (const e of decodeCommit(msg.subject, 0, msg.data).events) {
        if (e.type === 'NodeRegistered') registered.add(nodeId);
        if (e.type === 'NodeSuspect') suspect.set(nodeId, Date.now());
        if (process.env.BENCH_SCALE_TRACE && nodeId.startsWith('silent')) console.error(`  ${nodeId} ${new Date().toISOString()} ${e.type} ${JSON.stringify(e.data)}`);
      }
    },
  });
  nc.subscribe(Subjects.job('*'), {
    callback: (_err, msg) => {
      const jobId = msg.subject.split('.').at(-1)!;
      for (const e of decodeCommit(msg.subject, 0, msg.data).events) {
        if (e.type === 'JobSucceeded') succeeded.set(jobId, Date.now());
        if (e.type === 'TaskStarted') {
          const s = started.get(jobId) ?? new Set<string>();
          s.add((e.data as { task: string }).task);
          started.set(jobId, s);
        }
      }
    },
  });
  return { registered, suspect, succeeded, started };
}

async function startFleetProcess(natsUrl: string, dataDir: string, agents: number, heartbeatMs: number, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [resolve(__dirname, 'scale-fleet-main.js')], {
    env: { ...process.env, SIM_NATS_URL: natsUrl, SIM_DATA_DIR: dataDir, SIM_AGENTS: String(agents), SIM_HEARTBEAT_MS: String(heartbeatMs), SIM_PREFIX: prefix },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ok, fail) => {
    let out = '';
    let ready = false;
    child.stdout!.on('data', (d) => {
      if (ready) return;
      out += d;
      const m = /fleet ready .*/.exec(out);
      if (m) {
        ready = true;
        console.error(`  ${m[0]}`);
        ok();
      }
    });
    child.once('exit', (code) => fail(new Error(`fleet exited with ${code}: ${out}`)));
  });
  return child;
}

async function until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await sleep(5);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

main().catch((err) => {
  console.error(`bench:scale failed: ${err?.stack ?? err}`);
  process.exit(1);
});
