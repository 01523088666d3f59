import { cpus, loadavg } from 'node:os';
import type { PlannerOptions } from '@trainyard/scheduling';
import { runCommittedPlacementBench } from './scheduler-committed';
import { benchPlanner, CPU_POOL_BENCH, DEFAULT_PLANNER_BENCH, PLACEMENT_BOUND_BENCH, QUOTA_BENCH, type PlannerBenchOptions } from './scheduler-planner';

/**
 * `npm run bench:scheduler`: the scheduler's figures. Conditions and details go to stderr; the last
 * line of stdout is one JSON object (`planned_placements_per_s`, `decision_p99_ms`, …) for tools.
 * Sections run one after the other; more (committed placements through the event log) add their
 * fields to `figures`.
 */
async function main(): Promise<void> {
  const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  // Wall-clock figures: other work on the machine shows up in them, so say how busy it was.
  console.error(`machine: ${machine.cores} cores (${machine.cpu}), node ${machine.node}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  const mixed = section('mixed (the issue workload)', DEFAULT_PLANNER_BENCH);
  const fill = section('placement-bound (empty cluster, 1-GPU instances)', PLACEMENT_BOUND_BENCH);
  const cpuPool = section('CPU pool (64-core nodes, 1–4-core instances)', CPU_POOL_BENCH);
  // The service plans with complete wait reasons (every cause, start estimates) under quotas.
  const quotas = section('100 projects under quotas (cohorts of 10, fair share, complete wait reasons)', QUOTA_BENCH, { completeWaitReasons: true });

  // Placements committed through the real event log (a private nats-server): one scheduling pass.
  console.error('committed: 5,000 placements through a private nats-server, one pass (plan, job commits, node commits)');
  const committed = await runCommittedPlacementBench();
  console.error(`  one instance per job: ${JSON.stringify(committed.single)}`);
  console.error(`  4-instance gangs:     ${JSON.stringify(committed.gang)}`);

  const figures = {
    planned_placements_per_s: mixed.planned_placements_per_s,
    decision_p50_ms: mixed.decision_p50_ms,
    decision_p99_ms: mixed.decision_p99_ms,
    decision_max_ms: mixed.decision_max_ms,
    planned_placements: mixed.planned_placements,
    planned_placements_per_cpu_s: mixed.planned_placements_per_cpu_s,
    placement_bound_placements_per_s: fill.planned_placements_per_s,
    placement_bound_decision_p99_ms: fill.decision_p99_ms,
    cpu_pool_placements_per_s: cpuPool.planned_placements_per_s,
    cpu_pool_decision_p99_ms: cpuPool.decision_p99_ms,
    quota_placements_per_s: quotas.planned_placements_per_s,
    quota_decision_p99_ms: quotas.decision_p99_ms,
    quota_planned_placements: quotas.planned_placements,
    quota_waiting_over_quota: quotas.quota_waiting,
    quota_preemptions: quotas.preemptions,
    quota_projects: QUOTA_BENCH.projects,
    committed_placements_per_s: committed.committed_placements_per_s,
    committed_gang_placements_per_s: committed.gang.committed_placements_per_s,
    nodes: mixed.nodes,
    queued_tasks: mixed.queued_tasks,
    cores: machine.cores,
    node: machine.node,
    load_average_1m: Math.round(loadavg()[0] * 100) / 100,
  };
  console.log(JSON.stringify(figures));
}

function section(name: string, o: PlannerBenchOptions, plannerOptions: Partial<PlannerOptions> = {}) {
  console.error(
    `planner, ${name}: ${o.nodes} nodes × ${o.gpusPerNode} GPUs in supernodes of ${o.supernodeSize}, ${Math.round(o.busyNodes * 100)}% busy; ` +
      `${o.tasks} queued tasks as 1/8/64-instance gangs, ${Math.round(o.affinityGroupShare * 100)}% with affinity groups, ` +
      `${Math.round(o.preemptibleShare * 100)}% preemptible, ${o.instanceGpus ? `${o.instanceGpus} GPU per instance` : 'mixed GPUs per instance'}; seed ${o.seed}`,
  );
  const r = benchPlanner(o, 5, plannerOptions);
  console.error(`  ${JSON.stringify(r)}`);
  console.error(
    `  median of ${r.runs}: ${r.planned_placements} placements of ${r.queued_tasks} tasks (${r.placed_jobs}/${r.queued_jobs} jobs placed, ${r.preemptions} preemptions, ` +
      `${r.reservations} reservations${o.projects ? `, ${r.quota_waiting} over quota` : ''}) in ${r.total_ms} ms (index ${r.build_ms} ms) → ${r.planned_placements_per_s} placements/s ` +
      `(runs ${r.placements_per_s_min}–${r.placements_per_s_max}; ${r.planned_placements_per_cpu_s} per CPU-second); decision p50 ${r.decision_p50_ms} ms, p99 ${r.decision_p99_ms} ms, max ${r.decision_max_ms} ms`,
  );
  return r;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
