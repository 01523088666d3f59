import { event, type StoredCommit, Subjects, withDefaults } from '@trainyard/contracts';
import { createDatabase, eventIndexChanges, migrate, writeChanges, type Database } from '@trainyard/db';
import type { EventLog } from '@trainyard/event-log';
import { readRecording, simulate } from '@trainyard/history';
import { pendingJobFromSpec, planGangs, type NodeView } from '@trainyard/scheduling';
import { freshSchema } from '@trainyard/testing';
import { type Kysely, sql } from 'kysely';
import { cpus, loadavg } from 'node:os';
import { DbHistory } from '../apps/api/src/history/db-history';

/**
 * `npm run bench:history [-- --full]` (issue 17): past moments over a large log and the replay speed.
 *
 * A synthetic day of a 100-node cluster (8 cpu each): one-instance jobs arriving every 50 ms, each
 * created + queued, placed, assigned on its node, started, ended, released from its node — 9 events a
 * job — written into a
 * fresh schema of the machine's PostgreSQL as the projection writes the event index
 * (`eventIndexChanges` → `writeChanges`; the other read models are not what the history reads).
 * The jobs the sim replays are placed by the real planner, as a live scheduler would have placed
 * them, so the replay is a faithful one (`sim_matched` of `sim_recorded`). Then:
 *
 * - `job_at_ms`: one job's state at a moment of its life (time → sequence on the index, the job's
 *   commits up to it, folded with the deciders), p95 of 200 queries. Target ≤ 100 ms.
 * - `cluster_at_s`: the whole cluster at the end of the log, from the newest snapshot (then every
 *   commit after it folded). Target ≤ 5 s at 1,000,000 events. `cluster_first_fold_s`: the first
 *   fold, from the first commit, which writes the snapshots.
 * - `sim_jobs_per_s`: `readRecording` + `simulate` of the first `BENCH_SIM_JOBS` jobs on the recorded
 *   cluster, jobs per second of wall time. Target ≥ 10,000. Here every job is placed by a pass of
 *   its own (arrivals 50 ms apart on an idle-enough cluster, ~600 jobs running), so this is also
 *   passes per second. The planner keeps its pools between passes (`IncrementalPlanner`), so a pass
 *   costs its queue and what changed, not the ~600 running jobs. `sim_jobs_per_cpu_s`: the same per
 *   CPU-second of the process (the collector's threads included): less moved by a busy machine.
 *
 * Size: `BENCH_EVENTS` (default 200,000) and `BENCH_SIM_JOBS` (default 10,000): well under a minute
 * of CPU; `--full` is the 1,000,000 events and 20,000 sim jobs. Figures and conditions go to
 * stderr; the LAST line of stdout is one JSON object, printed after the schema is dropped.
 */
const FULL = process.argv.includes('--full');
const EVENTS = Number(process.env.BENCH_EVENTS ?? (FULL ? 1_000_000 : 200_000));
const SIM_JOBS = Number(process.env.BENCH_SIM_JOBS ?? (FULL ? 20_000 : 10_000));
const NODES = 100;
const NODE_CPU = 8;
const EVENTS_PER_JOB = 9;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');

async function main(): Promise<Record<string, number>> {
  const say = (m: string) => console.error(m);
  const jobs = Math.ceil((EVENTS - NODES) / EVENTS_PER_JOB);
  say(`machine: ${cpus().length} cores (${cpus()[0]?.model}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`log: ${NODES} nodes of ${NODE_CPU} cpu, ${jobs} one-instance jobs (one every 50 ms, 20–40 s each), ${EVENTS_PER_JOB} events a job; sim replays the first ${Math.min(SIM_JOBS, jobs)}`);
  const schema = await freshSchema();
  const handle = createDatabase({ url: schema.url, schema: schema.schema });
  try {
    await migrate(handle.db, handle.schema);
    const db = handle.db as Kysely<Database>;
    const gen = new History(Math.min(SIM_JOBS, jobs));
    const t0 = performance.now();
    let written = 0;
    let batch: StoredCommit[] = gen.nodes();
    const simCommits: StoredCommit[] = [...batch];
    const flush = async () => {
      written += batch.reduce((n, c) => n + c.events.length, 0);
      const rows = batch.flatMap(eventIndexChanges);
      await db.transaction().execute((trx) => writeChanges(trx, rows));
      batch = [];
    };
    for (let j = 0; j < jobs; j++) {
      const commits = gen.job(j);
      batch.push(...commits);
      if (j < SIM_JOBS) simCommits.push(...commits);
      if (batch.length >= 5_000) await flush();
    }
    await flush();
    const last = gen.seq;
    const loadS = (performance.now() - t0) / 1000;
    say(`wrote ${written} events (${jobs} jobs, ${last} commits) into the event index in ${loadS.toFixed(1)} s`);
    // Fresh tables: let the planner know their size before timing queries on them.
    await sql.raw(`analyze "${handle.schema}"."events"`).execute(handle.db);

    const history = new DbHistory(handle, undefined as unknown as EventLog, () => last);
    // One job at a moment of its life.
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < 200; i++) {
      const j = Math.floor((i * 7919) % jobs);
      const at = new Date(gen.createdAt(j) + ((i * 131) % 60_000));
      const s = performance.now();
      const seq = await history.resolve({ time: at });
      const { job } = await history.jobAt(gen.id(j), seq);
      times.push(performance.now() - s);
      if (job) found++;
    }
    const jobAt = pct(times, 0.95);
    say(`job at a past time: p50 ${pct(times, 0.5).toFixed(1)} ms, p95 ${jobAt.toFixed(1)} ms over 200 queries (${found} found)`);

    // The first fold of the whole log writes the snapshots (every 50,000 commits); a later moment
    // folds from the newest one before it.
    const f0 = performance.now();
    await history.clusterAt(last);
    const firstFold = (performance.now() - f0) / 1000;
    const c0 = performance.now();
    const folded = await history.clusterAt(last - 1).then((fold) => ({ jobs: fold.jobs.size, nodes: fold.nodes.size }));
    const clusterAt = (performance.now() - c0) / 1000;
    say(`whole cluster: the first fold of all ${last} commits (writing snapshots) ${firstFold.toFixed(2)} s; at the end again, from the newest snapshot: ${folded.jobs} jobs, ${folded.nodes} nodes in ${clusterAt.toFixed(2)} s`);

    // The folds' garbage is collected first (with --expose-gc), so the replay pays only for its own.
    (globalThis as { gc?: () => void }).gc?.();
    say(`sim: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const s0 = performance.now();
    const cpu0 = process.cpuUsage();
    const report = simulate(readRecording(simCommits));
    const simS = (performance.now() - s0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const simCpuS = (cpu.user + cpu.system) / 1e6;
    const simRate = report.jobs / simS;
    say(`sim: ${report.jobs} jobs, ${report.passes} passes, ${report.placements} placements in ${simS.toFixed(2)} s, ${simCpuS.toFixed(2)} CPU-s with the collector's threads (${report.matched}/${report.recorded} placements as recorded, ${report.inferredCuts} passes on an inferred cut)`);
    return {
      events: written, jobs, commits: last, load_s: round(loadS), job_at_ms: round(jobAt), job_at_p50_ms: round(pct(times, 0.5)), cluster_at_s: round(clusterAt), cluster_first_fold_s: round(firstFold),
      sim_jobs: report.jobs, sim_jobs_per_s: Math.round(simRate), sim_jobs_per_cpu_s: Math.round(report.jobs / simCpuS), sim_passes: report.passes, sim_passes_per_s: Math.round(report.passes / simS), sim_matched: report.matched, sim_recorded: report.recorded,
      load_average_1m: round(loadavg()[0]),
    };
  } finally {
    await handle.close();
    await schema.drop();
  }
}

/**
 * The synthetic day: node registrations, then each job's four commits and its node's work order
 * and release.
 * The first `planned` jobs go where the planner puts them on the cluster as it then stood (the
 * rest round-robin: only the event index reads them).
 */
class History {
  seq = 0;
  private readonly spec = withDefaults({ kind: 'job', metadata: { name: 'bench' }, algorithm: { command: 'python train.py' }, spec: { resource: { flavor: { cpu: 1, memoryMiB: 1024 }, nodeCount: 1 } } } as never);
  private readonly used = new Map<string, number>();
  /** Placed jobs' ends, in placement order (every run ends within 40 s: a short scan frees them). */
  private ends: { at: number; node: string }[] = [];

  constructor(private readonly planned: number) {}

  id = (j: number) => `job-${j}`;
  createdAt = (j: number) => T0 + j * 50;
  nodes(): StoredCommit[] {
    return Array.from({ length: NODES }, (_, i) =>
      this.commit(Subjects.node(`n${i}`), 'node:n' + i, [event('NodeRegistered', iso(T0), { nodeId: `n${i}`, host: `n${i}.lan`, pool: 'default', capacity: { cpu: NODE_CPU, memoryMiB: 65_536, gpu: 0, npu: 0 }, labels: {} })]),
    );
  }
  job(j: number): StoredCommit[] {
    const id = this.id(j);
    const t = this.createdAt(j);
    const run = 20_000 + ((j * 37) % 20_000);
    const node = j < this.planned ? this.place(j, t + 5, t + 300 + run) : `n${j % NODES}`;
    const placement = { task: 'worker-0', index: 0, nodeId: node, host: `${node}.lan` };
    return [
      this.commit(Subjects.job(id), 'user:bench', [event('JobCreated', iso(t), { jobId: id, spec: this.spec, tasks: ['worker-0'], createdBy: 'user:bench' }), event('JobQueued', iso(t), { priority: 1 + (j % 3) })]),
      this.commit(Subjects.job(id), 'scheduler', [event('JobScheduled', iso(t + 5), { attempt: 1, placements: [placement] })]),
      this.commit(Subjects.node(node), 'scheduler', [event('TaskAssigned', iso(t + 5), { jobId: id, jobName: 'bench', task: 'worker-0', index: 0, attempt: 1, scheduleCount: 1, procStartCount: 1, algorithm: this.spec.algorithm, flavor: this.spec.spec.resource.flavor, runtime: 'process', hosts: [`${node}.lan`] } as never)]),
      this.commit(Subjects.job(id), `node:${node}`, [event('TaskStarted', iso(t + 300), { task: 'worker-0', attempt: 1, nodeId: node, procStartCount: 1 }), event('JobStarted', iso(t + 300), { attempt: 1 })]),
      this.commit(Subjects.job(id), `node:${node}`, [event('TaskExited', iso(t + 300 + run), { task: 'worker-0', attempt: 1, nodeId: node, exitCode: 0, reason: 'exited' }), event('JobSucceeded', iso(t + 300 + run), { attempt: 1 })]),
      // The scheduler lets the node forget the finished attempt (issue 19): a node's state is its live work.
      this.commit(Subjects.node(node), 'scheduler', [event('TaskReleased', iso(t + 301 + run), { jobId: id, task: 'worker-0', attempt: 1 })]),
    ];
  }
  /** The planner's node for job `j` at `at`, with every run ended by then let go of. */
  private place(j: number, at: number, endsAt: number): string {
    this.ends = this.ends.filter((e) => {
      if (e.at > at) return true;
      this.used.set(e.node, (this.used.get(e.node) ?? 0) - 1);
      return false;
    });
    const nodes: NodeView[] = Array.from({ length: NODES }, (_, i) => {
      const cpu = this.used.get(`n${i}`) ?? 0;
      return { id: `n${i}`, host: `n${i}.lan`, pool: 'default', labels: {}, schedulable: true, capacity: { cpu: NODE_CPU, memoryMiB: 65_536, gpu: 0, npu: 0 }, used: { cpu, memoryMiB: cpu * 1024, gpu: 0, npu: 0 } };
    });
    const plan = planGangs({ now: iso(at), nodes, queue: [pendingJobFromSpec(this.id(j), this.spec, { queuedSeq: j, priority: 1 + (j % 3) })] });
    const node = plan.place[0]?.placements[0]?.nodeId;
    if (!node) throw new Error(`the synthetic cluster is full at job ${j}`);
    this.used.set(node, (this.used.get(node) ?? 0) + 1);
    this.ends.push({ at: endsAt, node });
    return node;
  }
  private commit(subject: string, actor: string, events: ReturnType<typeof event>[]): StoredCommit {
    const seq = ++this.seq;
    return { seq, subject, events, meta: { commandId: `c${seq}`, correlationId: `c${seq}`, actor } };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const round = (n: number) => Math.round(n * 100) / 100;
function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

// The figures are printed after the schema is dropped, so nothing follows the JSON line on stdout.
main().then(
  (figures) => {
    console.log(JSON.stringify(figures));
  },
  (err) => {
    console.error(`bench:history failed: ${err?.stack ?? err}`);
    process.exit(1);
  },
);
