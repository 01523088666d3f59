import { event, Subjects, taskName, withDefaults, type CommitMeta, type JobEvent, type StoredCommit, type TrainingJobSpec } from '@trainyard/contracts';
import { connectNats, ensureStreams, JetStreamEventLog, type EventLog } from '@trainyard/event-log';
import { planGangs } from '@trainyard/scheduling';
import { startNatsServer } from '@trainyard/testing';
import { BatchCommitter } from '../apps/scheduler/src/batch-committer';
import { ClusterState } from '../apps/scheduler/src/cluster-state';
import { buildClusterView } from '../apps/scheduler/src/cluster-view.builder';
import { followUpActions } from '../apps/scheduler/src/follow-up-actions';
import { jobActions } from '../apps/scheduler/src/job-actions';

/** One run of the committed-placement benchmark. */
export interface CommittedPlacementOptions {
  /** Jobs waiting when the pass starts. */
  jobs: number;
  /** Instances per job (a gang); every instance is one placement. */
  instances: number;
  nodes: number;
  /** vCPUs per node; every instance takes one. */
  nodeCpu: number;
}

export interface CommittedPlacementResult extends CommittedPlacementOptions {
  placements: number;
  /** Planning: view, plan, the pass's job actions (pure, in memory). */
  plan_ms: number;
  /** Placements on the job subjects, committed and read back through the log. */
  job_commit_ms: number;
  /** Assignments on the node subjects (one commit per node), committed and read back. */
  node_commit_ms: number;
  total_ms: number;
  committed_placements_per_s: number;
  job_commits: number;
  node_commits: number;
}

const META = (commandId: string): CommitMeta => ({ commandId, correlationId: commandId, actor: 'bench' });

/**
 * Placements committed through the real event log: a private nats-server, `jobs` queued jobs and
 * `nodes` registered nodes, then exactly what one scheduling pass does — plan, commit every placement
 * on its job subject (one commit each, pipelined across subjects, expected sequences from the
 * in-memory state), wait for the commits to come back through the live subscription, derive the
 * assignments and commit them per node (many events per commit), wait again. Setup is not timed.
 *
 * @example
 * ```ts
 * const r = await measureCommittedPlacements({ jobs: 5000, instances: 1, nodes: 250, nodeCpu: 32 });
 * r.committed_placements_per_s; // ≥ 5,000 is the target
 * ```
 */
export async function measureCommittedPlacements(opts: CommittedPlacementOptions): Promise<CommittedPlacementResult> {
  await using nats = await startNatsServer();
  const nc = await connectNats(nats.url, 'bench');
  try {
    await ensureStreams(nc);
    const log = new JetStreamEventLog(nc);
    await seed(log, opts);

    const state = new ClusterState();
    const waiters: { seq: number; resolve: () => void }[] = [];
    const sub = log.subscribe({}, (c: StoredCommit) => {
      state.apply(c);
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i].seq <= state.position) waiters.splice(i, 1)[0].resolve();
    });
    await sub.caughtUp;
    const caughtUpTo = (seq: number) => (seq <= state.position ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ seq, resolve })));

    const committer = new BatchCommitter(log, state);
    const t0 = performance.now();
    const now = new Date();
    const view = buildClusterView(state, () => true, now, { hourMs: 3_600_000 });
    const plan = planGangs(view);
    const actions = jobActions(state, plan, now, { preemptGraceMs: 1000, minRunMs: 0, hourMs: 3_600_000, requeueTimeoutMs: 1_800_000 });
    const t1 = performance.now();
    const jobs = await committer.jobs(actions);
    await caughtUpTo(jobs.last);
    const t2 = performance.now();
    const nodes = await committer.nodes(followUpActions(state), 1000, now);
    await caughtUpTo(nodes.last);
    const t3 = performance.now();
    await sub.stop();

    const placements = plan.place.reduce((n, p) => n + p.placements.length, 0);
    if (placements !== opts.jobs * opts.instances) throw new Error(`planned ${placements} placements, expected ${opts.jobs * opts.instances}`);
    if (jobs.committed !== opts.jobs || jobs.conflicts || jobs.failed.length) throw new Error(`job commits: ${JSON.stringify({ ...jobs, failed: jobs.failed.length })}`);
    const assigned = [...state.nodes.values()].reduce((n, { state: s }) => n + (s.status === 'registered' ? Object.keys(s.assignments).length : 0), 0);
    if (assigned !== placements) throw new Error(`assigned ${assigned} of ${placements}`);
    return {
      ...opts,
      placements,
      plan_ms: round(t1 - t0),
      job_commit_ms: round(t2 - t1),
      node_commit_ms: round(t3 - t2),
      total_ms: round(t3 - t0),
      committed_placements_per_s: Math.round((placements / (t3 - t0)) * 1000),
      job_commits: jobs.committed,
      node_commits: nodes.committed,
    };
  } finally {
    await nc.drain();
  }
}

/** Registers the nodes and queues the jobs (pipelined, untimed). */
async function seed(log: EventLog, o: CommittedPlacementOptions): Promise<void> {
  const t = new Date().toISOString();
  await Promise.all(
    Array.from({ length: o.nodes }, (_, i) => {
      const id = `n${String(i).padStart(4, '0')}`;
      const data = { nodeId: id, host: `10.0.${i >> 8}.${i & 255}`, pool: 'default', capacity: { cpu: o.nodeCpu, memoryMiB: o.nodeCpu * 1024, gpu: 0, npu: 0 }, labels: {} };
      return log.append(Subjects.node(id), [event('NodeRegistered', t, data)], META(`reg/${id}`), 0);
    }),
  );
  const spec: TrainingJobSpec = withDefaults({
    kind: 'job', metadata: { name: 'bench' }, algorithm: { command: 'true' },
    spec: { resource: { flavor: { cpu: 1, memoryMiB: 512 }, nodeCount: o.instances } },
  });
  const tasks = Array.from({ length: o.instances }, (_, i) => taskName(i));
  for (let from = 0; from < o.jobs; from += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, o.jobs - from) }, (_, k) => {
        const jobId = `job-${from + k}`;
        const events: JobEvent[] = [event('JobCreated', t, { jobId, spec, tasks, createdBy: 'bench' }), event('JobQueued', t, { priority: 1 })];
        return log.append(Subjects.job(jobId), events, META(`submit/${jobId}`), 0);
      }),
    );
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The default runs: one placement per job (the hard case) and 4-instance gangs. */
export async function runCommittedPlacementBench(): Promise<{ single: CommittedPlacementResult; gang: CommittedPlacementResult; committed_placements_per_s: number }> {
  const single = await measureCommittedPlacements({ jobs: 5_000, instances: 1, nodes: 250, nodeCpu: 32 });
  const gang = await measureCommittedPlacements({ jobs: 1_250, instances: 4, nodes: 250, nodeCpu: 32 });
  return { single, gang, committed_placements_per_s: single.committed_placements_per_s };
}

if (require.main === module) {
  runCommittedPlacementBench()
    .then((r) => {
      console.error(`single-instance jobs: ${JSON.stringify(r.single)}`);
      console.error(`4-instance gangs:     ${JSON.stringify(r.gang)}`);
      console.log(JSON.stringify({ committed_placements_per_s: r.committed_placements_per_s, committed_gang_placements_per_s: r.gang.committed_placements_per_s }));
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
