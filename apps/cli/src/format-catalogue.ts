import type { CatalogueFlavor, ExperimentComparison, ExperimentList } from '@trainyard/contracts';
import { formatAge, formatFlavor, renderTable } from './format';

/** Pure text of the flavor catalogue and of experiments (issue 18); no I/O, like format.ts. */

const NONE = '-';
const count = (n: number | undefined) => (n ? String(n) : '0');

/** `yard flavors`: pool, id, what one instance gets; `wide` adds the accelerator type and the node limit. */
export function formatFlavorsTable(flavors: readonly CatalogueFlavor[], opts: { wide?: boolean } = {}): string {
  if (flavors.length === 0) return 'No flavors in the catalogue (operators add them with yard flavors set).\n';
  const sorted = [...flavors].sort((a, b) => a.pool.localeCompare(b.pool) || a.id.localeCompare(b.id));
  const rows = sorted.map((f) => [
    f.pool,
    f.id,
    f.name && f.name !== f.id ? f.name : NONE,
    String(f.flavor.cpu),
    String(f.flavor.memoryMiB),
    count(f.flavor.gpu),
    count(f.flavor.npu),
    ...(opts.wide ? [f.flavor.acceleratorType ?? NONE, f.maxNodeCount === undefined ? NONE : String(f.maxNodeCount)] : []),
  ]);
  return renderTable(['POOL', 'FLAVOR', 'NAME', 'CPU', 'MEMORY (MiB)', 'GPU', 'NPU', ...(opts.wide ? ['ACCELERATOR', 'MAX NODES'] : [])], rows);
}

/** One catalogue entry, after `yard flavors set`. */
export function formatFlavorLine(f: CatalogueFlavor): string {
  return `flavor ${f.id} in pool ${f.pool}: ${formatFlavor(f.flavor)}${f.maxNodeCount ? `, at most ${f.maxNodeCount} nodes` : ''}\n`;
}

/**
 * `yard experiment show`: one row a job, its parameters and then its final metrics as columns (the
 * union over the jobs; `-` where a job has none). Metric columns are marked `metric:` only when a
 * parameter has the same name, so the header stays short.
 */
export function formatExperiment(e: ExperimentComparison): string {
  if (e.jobs.length === 0) return `Experiment ${e.experiment} has no jobs you may read.\n`;
  const clash = new Set(e.parameters.filter((p) => e.metrics.includes(p)));
  const headers = ['ID', 'NAME', 'STATE', ...e.parameters, ...e.metrics.map((m) => (clash.has(m) ? `metric:${m}` : m))];
  const rows = e.jobs.map((j) => [
    j.id,
    j.name,
    j.state,
    ...e.parameters.map((p) => j.parameters[p] ?? NONE),
    ...e.metrics.map((m) => (j.metrics[m] === undefined ? NONE : String(j.metrics[m]))),
  ]);
  return `Experiment ${e.experiment}: ${e.jobs.length} job(s); parameters ${e.parameters.join(', ') || NONE}; final metrics ${e.metrics.join(', ') || NONE}\n\n${renderTable(headers, rows)}`;
}

/** `yard experiment list`: each experiment, its jobs and how long ago its newest job was created. */
export function formatExperimentList(list: ExperimentList, now: Date): string {
  if (list.items.length === 0) return 'No experiments (jobs join one with metadata.experiment or yard experiment add).\n';
  return renderTable(['EXPERIMENT', 'JOBS', 'LAST JOB'], list.items.map((e) => [e.experiment, String(e.jobs), formatAge(e.lastCreatedAt, now)]));
}
