import { Subjects, type StoredCommit } from '@trainyard/contracts';
import { freshSchema, startNatsServer, TEST_ADMIN_AUTH, TEST_ADMIN_TOKEN } from '@trainyard/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../apps/all-in-one/src/local-cluster';
import type { FaultManagerOptions } from '../apps/fault-manager/src/fault-manager-options';

/**
 * `npm run bench:recovery`: recovery times through the real services (a private nats-server, the
 * machine's PostgreSQL, scheduler, fault manager, log router and agents in this process; one agent per
 * node-loss run in its own process so it can be SIGKILLed).
 *
 * - in-place restart: a worker's main process is SIGKILLed; time until the restarted process's
 *   `TaskStarted` (MA_PROC_START_CNT=2) on the same node. Target p50 ≤ 1 s.
 * - node loss: the agent process running a task is SIGKILLed; time until the task's `TaskStarted` on
 *   another node (suspect after the lease, lost after the grace, isolating reschedule, placement, launch).
 *   Target ≤ the lease time + 5 s.
 *
 * Times are event times (the agents' clocks) against the kill time, all on this machine. Conditions
 * go to stderr; the LAST line of stdout is one JSON object.
 */
const IN_PLACE_RUNS = Number(process.env.BENCH_INPLACE_RUNS ?? 20);
const NODE_LOSS_RUNS = Number(process.env.BENCH_NODE_LOSS_RUNS ?? 5);
const FAULTS: Partial<FaultManagerOptions> = {
  leaseMs: Number(process.env.BENCH_LEASE_MS ?? 3_000),
  lostGraceMs: Number(process.env.BENCH_LOST_GRACE_MS ?? 2_000),
  tickMs: 200,
  stopGraceMs: 1_000,
  // The bench kills workers of many jobs on purpose: the cross-job rule would (rightly) isolate the nodes.
  crossJob: { windowMs: 30 * 60_000, distinctJobs: 1_000_000 },
  log: () => undefined,
};

async function main(): Promise<void> {
  const say = (m: string) => console.error(m);
  const dist = resolve(__dirname, '..');
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`fault manager: node lease ${FAULTS.leaseMs} ms (suspect), lost ${FAULTS.lostGraceMs} ms later; agents beat every 500 ms`);
  const nats = await startNatsServer();
  const schema = await freshSchema();
  const dataDir = mkdtempSync(join(tmpdir(), 'trainyard-bench-recovery-'));
  const children: ChildProcess[] = [];
  let cluster: LocalCluster | undefined;
  let figures = '';
  try {
    cluster = await startLocalCluster({
      natsUrl: nats.url,
      databaseUrl: schema.url,
      schema: schema.schema,
      dataDir,
      api: { host: '127.0.0.1', port: 0 },
      agents: ['node-1', 'node-2'].map((nodeId) => ({ nodeId, capacity: { cpu: 8, memoryMiB: 8192, gpu: 0, npu: 0 }, heartbeatMs: 500, stopGraceMs: 1_000 })),
      scheduler: { heartbeatTimeoutMs: 3_000, stopGraceMs: 1_000, tickMs: 250, log: () => undefined },
      faultManager: FAULTS,
      apiOptions: { bootstrapAdmin: { token: TEST_ADMIN_TOKEN } },
    });
    const c = cluster;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(c.apiUrl + path, { method, headers: { ...TEST_ADMIN_AUTH, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      return res.json() as Promise<any>;
    };
    const submit = async (name: string, command: string, extra: Record<string, unknown> = {}) =>
      (await api('POST', '/v1/training-jobs', {
        kind: 'job',
        metadata: { name, annotations: { 'fault-tolerance/job-retry-num': '3' } },
        algorithm: { command },
        spec: { resource: { flavor: { cpu: 0.5, memoryMiB: 64 }, nodeCount: 1 }, ...extra },
      })).id as string;

    // ---------------------------------------------------------------- in-place restart
    say(`in-place restart: ${IN_PLACE_RUNS} runs, a worker SIGKILLed each time`);
    const inPlace: number[] = [];
    for (let i = 0; i < IN_PLACE_RUNS; i++) {
      const id = await submit(`bench-inplace-${i}`, 'if [ "$MA_PROC_START_CNT" = "1" ]; then sleep 60; fi');
      const first = await waitForEvent(c, id, (e) => e.type === 'TaskStarted');
      const killedAt = Date.now();
      process.kill(workerPid(first.data.pid), 'SIGKILL');
      const again = await waitForEvent(c, id, (e) => e.type === 'TaskStarted' && e.data.procStartCount === 2);
      inPlace.push(Date.parse(again.time) - killedAt);
    }
    say(`  ${JSON.stringify(stats(inPlace))}`);

    // ---------------------------------------------------------------- node loss
    say(`node loss: ${NODE_LOSS_RUNS} runs, the agent process running the task SIGKILLed each time`);
    const nodeLoss: number[] = [];
    for (let i = 0; i < NODE_LOSS_RUNS; i++) {
      const nodeId = `lossy-${i}`;
      const agent = spawn(process.execPath, [resolve(dist, 'apps/node-agent/src/main.js')], {
        env: {
          ...process.env, TY_NATS_URL: nats.url, TY_NODE_ID: nodeId, TY_NODE_CPU: '8', TY_NODE_MEMORY_MIB: '8192',
          TY_NODE_WORK_DIR: join(dataDir, nodeId), TY_HEARTBEAT_MS: '500', TY_STOP_GRACE_MS: '1000', TY_PREFLIGHT: 'off',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(agent);
      await new Promise<void>((ok, fail) => {
        let out = '';
        agent.stdout!.on('data', (d) => {
          out += d;
          if (/node agent ready/.test(out)) ok();
        });
        agent.once('exit', (code) => fail(new Error(`agent ${nodeId} exited with ${code}: ${out}`)));
      });
      // Placement needs the scheduler to have heard the new node.
      for (let t = 0; ((await api('GET', '/v1/nodes')).items as { id: string; status: string }[]).find((n) => n.id === nodeId)?.status !== 'ready'; t++) {
        if (t > 300) throw new Error(`node ${nodeId} never became ready`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 600));
      const id = await submit(`bench-loss-${i}`, 'if [ "$MA_SCHEDULE_CNT" = "1" ]; then sleep 120; fi; sleep 1', {
        nodeAffinity: [{ type: 'affinity', strength: 'preferred', labels: { 'trainyard.io/node-id': nodeId } }],
      });
      const first = await waitForEvent(c, id, (e) => e.type === 'TaskStarted');
      if (first.data.nodeId !== nodeId) throw new Error(`run ${i}: placed on ${first.data.nodeId}, not ${nodeId}`);
      const killedAt = Date.now();
      agent.kill('SIGKILL');
      const moved = await waitForEvent(c, id, (e) => e.type === 'TaskStarted' && e.data.attempt === 2, 60_000);
      nodeLoss.push(Date.parse(moved.time) - killedAt);
      // What the dead agent left running is a partitioned machine's leftover: end it here.
      try {
        process.kill(-first.data.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    say(`  ${JSON.stringify(stats(nodeLoss))}`);

    const ip = stats(inPlace);
    const nl = stats(nodeLoss);
    const leaseMs = FAULTS.leaseMs!;
    say(`in-place restart p50 ${ip.p50_ms} ms (target ≤ 1000): ${ip.p50_ms <= 1000 ? 'met' : 'NOT met'}`);
    say(`node loss → running elsewhere p50 ${nl.p50_ms} ms (target ≤ lease ${leaseMs} ms + 5000 ms): ${nl.p50_ms <= leaseMs + 5000 ? 'met' : 'NOT met'}`);
    figures = JSON.stringify({
      inplace_restart_p50_ms: ip.p50_ms,
      inplace_restart_p90_ms: ip.p90_ms,
      inplace_restart_max_ms: ip.max_ms,
      inplace_runs: ip.runs,
      node_loss_recovery_p50_ms: nl.p50_ms,
      node_loss_recovery_max_ms: nl.max_ms,
      node_loss_runs: nl.runs,
      lease_ms: leaseMs,
      lost_grace_ms: FAULTS.lostGraceMs,
      cores: cpus().length,
      load_average_1m: Math.round(loadavg()[0] * 100) / 100,
    });
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await cluster?.stop();
    await nats.stop();
    await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Last, after the cluster stopped: the agents log their shutdown on stdout, and the figures must
  // be the last line.
  console.log(figures);
}

/** Waits until the job's subject has an event matching `match` (reads the log, not the read model). */
async function waitForEvent(c: LocalCluster, jobId: string, match: (e: StoredCommit['events'][number] & { data: any }) => boolean, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { commits } = await c.eventLog.read(Subjects.job(jobId));
    const found = commits.flatMap((x) => x.events).find((e) => match(e as never));
    if (found) return found as StoredCommit['events'][number] & { data: any };
    if (Date.now() > end) {
      const seen = commits.flatMap((x) => x.events).map((e) => `${e.type}${'reason' in (e.data as object) ? `(${JSON.stringify((e.data as { reason?: unknown }).reason)})` : ''}`);
      throw new Error(`job ${jobId}: event not seen in ${timeoutMs} ms; the job has ${seen.join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The script's main process: the child of the task's supervisor (TaskStarted reports the supervisor). */
function workerPid(supervisor: number): number {
  const children = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return children.length ? Number(children[0]) : supervisor;
}

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { runs: s.length, p50_ms: at(0.5), p90_ms: at(0.9), min_ms: s[0], max_ms: s[s.length - 1] };
}

main().catch((err) => {
  console.error(`bench:recovery failed: ${err?.stack ?? err}`);
  process.exit(1);
});
